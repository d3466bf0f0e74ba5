using StateStore.Kv;
using StateStore.Storage.Faster;
using StateStore.Storage.Index;
using StateStore.Storage.Leases;
using StateStore.Storage.Watch;

namespace StateStore.Storage;

/// <summary>
/// etcd's multi-version key-value store on FASTER: a global revision per write transaction,
/// per-key create/mod revision and version, ranges at past revisions, transactions, compaction,
/// watches, and checkpoint/recover. Thread-safe: writes are serialised, reads run concurrently.
/// </summary>
/// <remarks>
/// Stored versions live in FASTER keyed by revision (etcd's bbolt "key" bucket); the ordered
/// <see cref="TreeIndex"/> maps each key to its versions (etcd's treeIndex). A write holds
/// <see cref="_writeGate"/> (so a checkpoint can hold writes still across an await) and, while it
/// touches the index, <see cref="_indexLock"/>'s write side. Reads take the read side only to
/// collect revisions and read the records outside it, then re-check the compaction point.
/// </remarks>
public sealed partial class MvccStore : IKvStore, IDisposable
{
    private readonly string _dataDirectory;
    private readonly RecordLog _log;
    private readonly TreeIndex _index;
    private readonly WatchHub _hub;
    private readonly LeaseTable _leases;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ReaderWriterLockSlim _indexLock = new(LockRecursionPolicy.NoRecursion);
    private long _revision;
    private long _compactRevision;
    private AppliedPosition _checkpointed;
    private readonly object _checkpointLock = new();
    private volatile bool _disposed;

    private MvccStore(MvccStoreOptions options)
    {
        _dataDirectory = Path.GetFullPath(options.DataDirectory);
        _log = RecordLog.Open(options);
        try
        {
            var position = StorePosition.FromCookie(_log.RecoveredCookie);
            _revision = position.Revision;
            _compactRevision = position.CompactRevision;
            _checkpointed = position.Applied;
            _index = RebuildIndex(_log);
            _leases = RestoreLeases(position.Leases, _index);
            RestoreAlarms(position.Alarms);
        }
        catch
        {
            _log.Dispose();
            throw;
        }
        _hub = new WatchHub(new HistoryReader(this), options.WatcherQueueLimit);
        _hub.Reset(_revision, _compactRevision);
    }

    /// <summary>Opens the store in <see cref="MvccStoreOptions.DataDirectory"/>, recovering its last checkpoint if there is one.</summary>
    public static MvccStore Open(MvccStoreOptions options) => new(options);

    /// <summary>The current revision (1 for an empty store).</summary>
    public long Revision => Volatile.Read(ref _revision);

    /// <summary>The compaction point: reads and watches below it answer Compacted (0 when never compacted).</summary>
    public long CompactRevision => Volatile.Read(ref _compactRevision);

    /// <summary>The Raft index recorded with the last checkpoint taken or recovered (0 when none).</summary>
    public long CheckpointedIndex => Checkpointed.Index;

    /// <summary>The log position recorded with the last checkpoint taken or recovered.</summary>
    public AppliedPosition Checkpointed
    {
        get
        {
            lock (_checkpointLock)
            {
                return _checkpointed;
            }
        }
    }

    /// <summary>The number of keys with any stored version (live or deleted but not yet compacted).</summary>
    public int IndexedKeyCount
    {
        get
        {
            _indexLock.EnterReadLock();
            try
            {
                return _index.Count;
            }
            finally
            {
                _indexLock.ExitReadLock();
            }
        }
    }

    /// <summary>The size of the store's data: the bytes of records in FASTER's log (etcd's db size).</summary>
    public long DiskSizeBytes => _disposed ? 0 : _log.Size;

    public KvResult<IKvWatch> Watch(WatchRequest request)
    {
        if (request.Key.Length == 0)
        {
            return KvFailure.Of(KvStatus.EmptyKey);
        }
        return KvResult<IKvWatch>.Ok(_hub.Add(request));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _writeGate.Wait();
        try
        {
            _disposed = true;
            _hub.Close();
            _expiry?.Dispose();
            WaitForReaders();
            _log.Dispose();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    ValueTask<KvResult<RangeResponse>> IKvStore.RangeAsync(RangeRequest request, CancellationToken cancellationToken) => new(Range(request));

    ValueTask<KvResult<PutResponse>> IKvStore.PutAsync(PutRequest request, CancellationToken cancellationToken) => new(Put(request));

    ValueTask<KvResult<DeleteRangeResponse>> IKvStore.DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken) => new(DeleteRange(request));

    ValueTask<KvResult<TxnResponse>> IKvStore.TxnAsync(TxnRequest request, CancellationToken cancellationToken) => new(Txn(request));

    ValueTask<KvResult<CompactResponse>> IKvStore.CompactAsync(CompactRequest request, CancellationToken cancellationToken) => new(Compact(request));

    ValueTask<KvResult<IKvWatch>> IKvStore.WatchAsync(WatchRequest request, CancellationToken cancellationToken) => new(Watch(request));

    ValueTask<KvResult<HashKvResponse>> IKvStore.HashKvAsync(long revision, CancellationToken cancellationToken) => new(HashKv(revision));

    ValueTask<StoreStatus> IKvStore.StatusAsync(CancellationToken cancellationToken) =>
        new(new StoreStatus(Revision, CompactRevision) { DbSizeBytes = DiskSizeBytes });

    /// <summary>A store without Raft has no cluster identity.</summary>
    MemberIdentity IKvStore.Identity => default;

    ValueTask<KvResult<MemberListResponse>> IKvStore.MemberListAsync(CancellationToken cancellationToken) => StandaloneMembership.List();

    ValueTask<KvResult<MemberAddResponse>> IKvStore.MemberAddAsync(MemberAddRequest request, CancellationToken cancellationToken) => StandaloneMembership.Add();

    ValueTask<KvResult<MemberListResponse>> IKvStore.MemberRemoveAsync(MemberRemoveRequest request, CancellationToken cancellationToken) => StandaloneMembership.Remove();

}
