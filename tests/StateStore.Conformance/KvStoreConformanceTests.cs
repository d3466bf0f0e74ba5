using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

/// <summary>
/// The IKvStore contract of docs/kv-semantics.md as tests, written once and run against every
/// implementation (the in-memory model, the MVCC store, one and three Raft members), as Kubernetes'
/// <c>apiserver/pkg/storage/testing/store_tests.go</c> is. Every expected revision, version and count
/// is worked out by hand from the spec, so a test fails when the store is wrong, not only when it throws.
/// </summary>
public abstract partial class KvStoreConformanceTests : IAsyncLifetime
{
    private readonly List<IKvStore> _stores = [];
    private IKvStore? _store;

    /// <summary>A fresh, empty store (revision 1). Called once per test, and again by tests that need two.</summary>
    protected abstract Task<IKvStore> CreateStoreAsync();

    /// <summary>Releases a store made by <see cref="CreateStoreAsync"/> (by default: dispose it if it is disposable).</summary>
    protected virtual async Task DisposeStoreAsync(IKvStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <summary>The store under test.</summary>
    protected IKvStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>This test's deadline: every await that could hang uses it.</summary>
    protected CancellationToken Ct { get; } = TestTimeout.Token();

    public async Task InitializeAsync() => _store = await NewStoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await DisposeStoreAsync(store);
        }
        _stores.Clear();
    }

    /// <summary>Another fresh store, disposed with the test.</summary>
    protected async Task<IKvStore> NewStoreAsync()
    {
        var store = await CreateStoreAsync().WaitAsync(Ct);
        _stores.Add(store);
        return store;
    }

    /// <summary>Disposes a store made by <see cref="NewStoreAsync"/> now, rather than when the test ends.</summary>
    protected async Task CloseStoreAsync(IKvStore store)
    {
        Assert.True(_stores.Remove(store), "not a store of this test");
        await DisposeStoreAsync(store);
    }

    // Small wrappers: each asserts Ok and unwraps, so a test reads as the history it builds.

    protected static byte[] B(string s) => Bytes.Of(s);

    protected Task<PutResponse> PutAsync(string key, string value, long lease = 0, bool prevKv = false) =>
        PutAsync(new PutRequest { Key = B(key), Value = B(value), Lease = lease, PrevKv = prevKv });

    protected async Task<PutResponse> PutAsync(PutRequest request, IKvStore? store = null) =>
        Ok(await (store ?? Store).PutAsync(request, Ct));

    protected async Task<DeleteRangeResponse> DeleteAsync(string key, string? rangeEnd = null, bool prevKv = false) =>
        Ok(await Store.DeleteRangeAsync(
            new DeleteRangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? null : B(rangeEnd), PrevKv = prevKv }, Ct));

    protected async Task<RangeResponse> RangeAsync(RangeRequest request) => Ok(await Store.RangeAsync(request, Ct));

    /// <summary>Every key ≥ <paramref name="from"/> (all keys by default) at a revision.</summary>
    protected Task<RangeResponse> RangeAllAsync(long revision = 0, string from = "\0") =>
        RangeAsync(new RangeRequest { Key = B(from), RangeEnd = Bytes.AllFrom, Revision = revision });

    /// <summary>The key at a revision, or null when it is not alive there.</summary>
    protected async Task<KeyValue?> GetAsync(string key, long revision = 0)
    {
        var response = await RangeAsync(new RangeRequest { Key = B(key), Revision = revision });
        Assert.True(response.Count <= 1, $"a single-key range counted {response.Count}");
        return response.Kvs.SingleOrDefault();
    }

    protected async Task<TxnResponse> TxnAsync(TxnRequest request) => Ok(await Store.TxnAsync(request, Ct));

    protected async Task<long> RevisionAsync() => (await Store.StatusAsync(Ct)).Revision;

    /// <summary>Asserts the store's revision and compaction point.</summary>
    protected async Task AssertStatusAsync(long revision, long compactRevision = 0)
    {
        var status = await Store.StatusAsync(Ct);
        Assert.Equal((revision, compactRevision), (status.Revision, status.CompactRevision));
    }

    protected static RequestOp PutOp(string key, string value, bool prevKv = false) =>
        RequestOp.Of(new PutRequest { Key = B(key), Value = B(value), PrevKv = prevKv });

    protected static RequestOp GetOp(string key, string? rangeEnd = null) =>
        RequestOp.Of(new RangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? null : B(rangeEnd) });

    protected static RequestOp DeleteOp(string key, string? rangeEnd = null) =>
        RequestOp.Of(new DeleteRangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? null : B(rangeEnd) });
}
