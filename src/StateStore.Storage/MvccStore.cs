using StateStore.Kv;

namespace StateStore.Storage;

/// <summary>
/// etcd's multi-version key-value store on FASTER: a global revision per write transaction,
/// per-key create/mod revision and version, ranges at past revisions, transactions, compaction,
/// watches, and checkpoint/recover. Thread-safe: writes are serialised, reads run concurrently.
/// </summary>
public sealed partial class MvccStore : IKvStore, IDisposable
{
    /// <summary>Opens the store in <see cref="MvccStoreOptions.DataDirectory"/>, recovering its last checkpoint if there is one.</summary>
    public static MvccStore Open(MvccStoreOptions options) => throw new NotImplementedException();

    /// <summary>The current revision (1 for an empty store).</summary>
    public long Revision => throw new NotImplementedException();

    /// <summary>The compaction point: reads and watches below it answer Compacted (0 when never compacted).</summary>
    public long CompactRevision => throw new NotImplementedException();

    /// <summary>The Raft index recorded with the last checkpoint taken or recovered (0 when none).</summary>
    public long CheckpointedIndex => throw new NotImplementedException();

    public KvResult<RangeResponse> Range(RangeRequest request) => throw new NotImplementedException();

    public KvResult<PutResponse> Put(PutRequest request) => throw new NotImplementedException();

    public KvResult<DeleteRangeResponse> DeleteRange(DeleteRangeRequest request) => throw new NotImplementedException();

    public KvResult<TxnResponse> Txn(TxnRequest request) => throw new NotImplementedException();

    public KvResult<CompactResponse> Compact(CompactRequest request) => throw new NotImplementedException();

    public KvResult<HashKvResponse> HashKv(long revision) => throw new NotImplementedException();

    public KvResult<IKvWatch> Watch(WatchRequest request) => throw new NotImplementedException();

    /// <summary>
    /// Writes a durable checkpoint that records <paramref name="appliedIndex"/> (the Raft index of the
    /// last applied entry) alongside the data; <see cref="Open"/> restores exactly this state.
    /// </summary>
    public Task CheckpointAsync(long appliedIndex, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();

    ValueTask<KvResult<RangeResponse>> IKvStore.RangeAsync(RangeRequest request, CancellationToken cancellationToken) => new(Range(request));

    ValueTask<KvResult<PutResponse>> IKvStore.PutAsync(PutRequest request, CancellationToken cancellationToken) => new(Put(request));

    ValueTask<KvResult<DeleteRangeResponse>> IKvStore.DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken) => new(DeleteRange(request));

    ValueTask<KvResult<TxnResponse>> IKvStore.TxnAsync(TxnRequest request, CancellationToken cancellationToken) => new(Txn(request));

    ValueTask<KvResult<CompactResponse>> IKvStore.CompactAsync(CompactRequest request, CancellationToken cancellationToken) => new(Compact(request));

    ValueTask<KvResult<IKvWatch>> IKvStore.WatchAsync(WatchRequest request, CancellationToken cancellationToken) => new(Watch(request));

    ValueTask<KvResult<HashKvResponse>> IKvStore.HashKvAsync(long revision, CancellationToken cancellationToken) => new(HashKv(revision));

    ValueTask<StoreStatus> IKvStore.StatusAsync(CancellationToken cancellationToken) => new(new StoreStatus(Revision, CompactRevision));
}
