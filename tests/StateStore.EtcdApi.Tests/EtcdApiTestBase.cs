using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.EtcdApi.Tests.Infrastructure;

using StateStore.Storage;
using StateStore.Testing;

namespace StateStore.EtcdApi.Tests;

/// <summary>
/// Each test gets a fresh store in a temp directory behind a real Kestrel. The store is made by
/// <see cref="OpenStoreAsync"/>: MvccStore here; a replicated store's test project overrides it and runs
/// the same test bodies.
/// </summary>
public abstract class EtcdApiTestBase : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("etcdapi");
    private IAsyncDisposable? _storeOwner;

    protected EtcdApiHost Host { get; private set; } = null!;

    /// <summary>The store the host serves, with a cluster identity and fault injection for the error table.</summary>
    protected ClusterIdentityStore Store { get; private set; } = null!;

    protected CancellationToken Timeout { get; } = TestTimeout.Token();

    /// <summary>Options for the host; tests that need a short progress interval override it.</summary>
    protected virtual void Configure(EtcdApiOptions options)
    {
    }

    /// <summary>Opens the store to serve and what disposes it.</summary>
    protected virtual Task<(Kv.IKvStore Store, IAsyncDisposable Owner)> OpenStoreAsync(string dataDirectory)
    {
        var store = MvccStore.Open(MvccStoreOptions.ForTests(dataDirectory));
        return Task.FromResult<(Kv.IKvStore, IAsyncDisposable)>((store, new DisposeAction(store.Dispose)));
    }

    public async Task InitializeAsync()
    {
        var (store, owner) = await OpenStoreAsync(_directory.Sub("store"));
        _storeOwner = owner;
        Store = new ClusterIdentityStore(store);
        Host = await EtcdApiHost.StartAsync(Store, Configure);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await CloseStoreAsync();
        _directory.Dispose();
    }

    /// <summary>Closes the served store while the host keeps running.</summary>
    protected async Task CloseStoreAsync()
    {
        if (_storeOwner is not null)
        {
            await _storeOwner.DisposeAsync();
            _storeOwner = null;
        }
    }

    protected static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    protected static string S(ByteString b) => b.ToStringUtf8();

    protected async Task<PutResponse> PutAsync(string key, string value, bool prevKv = false) =>
        await Host.Kv.PutAsync(new PutRequest { Key = B(key), Value = B(value), PrevKv = prevKv }, cancellationToken: Timeout);

    protected async Task<RangeResponse> GetAsync(RangeRequest request) => await Host.Kv.RangeAsync(request, cancellationToken: Timeout);

    /// <summary>The served store's current revision, read through the API.</summary>
    protected async Task<long> RevisionAsync() =>
        (await Host.Kv.RangeAsync(new RangeRequest { Key = B("\0"), RangeEnd = B("\0"), CountOnly = true }, cancellationToken: Timeout)).Header.Revision;

    /// <summary>Asserts a call fails with exactly this gRPC status code and message.</summary>
    protected static async Task<RpcException> AssertFailsAsync(StatusCode code, string message, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
        return error;
    }

    /// <summary>Asserts the header names the serving member and the revision.</summary>
    protected void AssertHeader(ResponseHeader header, long revision)
    {
        Assert.NotEqual(default, Store.Identity);
        Assert.Equal(Store.Identity.ClusterId, header.ClusterId);
        Assert.Equal(Store.Identity.MemberId, header.MemberId);
        Assert.Equal((ulong)Store.Identity.RaftTerm, header.RaftTerm);
        Assert.Equal(revision, header.Revision);
    }

    private sealed class DisposeAction(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
