using StateStore.Kv;

namespace StateStore.Testing.Model;

/// <summary>
/// A brute-force reference implementation of <see cref="IKvStore"/> for property tests. It keeps every
/// change ever made in one list, in execution order, and answers every question by scanning that list;
/// nothing is indexed, cached or physically removed, so there is little to get wrong. Compaction only
/// moves a marker: answers at or above it are computed from the full history, exactly as they were
/// before. docs/kv-semantics.md is its specification.
/// </summary>
public sealed partial class ModelKvStore : IKvStore, IDisposable
{
    /// <summary>The largest put (key + value) or txn (all keys and values) accepted: 1.5 MiB.</summary>
    public const int MaxRequestBytes = 1_572_864;

    /// <summary>The most entries a txn's compare, success or failure list may hold.</summary>
    public const int MaxTxnOps = 128;

    // One lock for everything: the model is about being right, not fast.
    private readonly Lock _gate = new();
    private readonly List<Change> _history;
    private readonly List<ModelWatch> _watches = [];
    private long _revision;
    private long _compactRevision;
    private bool _closed;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>An empty store at revision 1.</summary>
    public ModelKvStore()
        : this([], revision: 1, compactRevision: 0)
    {
    }

    private ModelKvStore(List<Change> history, long revision, long compactRevision)
    {
        _history = history;
        _revision = revision;
        _compactRevision = compactRevision;
    }

    /// <summary>The current revision.</summary>
    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>The compaction point (0 when never compacted).</summary>
    public long CompactRevision
    {
        get
        {
            lock (_gate)
            {
                return _compactRevision;
            }
        }
    }

    /// <summary>
    /// An independent copy with the same history, compaction point and leases, and no watches. Changes and
    /// their byte arrays are immutable, so copying the list is a deep copy.
    /// </summary>
    public ModelKvStore Clone()
    {
        lock (_gate)
        {
            var clone = new ModelKvStore([.. _history], _revision, _compactRevision);
            foreach (var (id, lease) in _leases)
            {
                clone._leases[id] = lease;
            }
            clone._alarms.UnionWith(_alarms);
            return clone;
        }
    }

    /// <summary>The value of <paramref name="key"/> at <paramref name="revision"/> (≤ 0: current), ignoring compaction.</summary>
    public KeyValue? Get(byte[] key, long revision = 0)
    {
        lock (_gate)
        {
            return Find(_history, key, revision <= 0 ? _revision : revision);
        }
    }

    /// <summary>Closes the store: every watch ends <see cref="WatchEndReason.StoreClosed"/>, every call answers Unavailable.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var watch in _watches)
            {
                watch.EndLocked(WatchEndReason.StoreClosed);
            }
            SignalLocked();
        }
    }

    public ValueTask<KvResult<RangeResponse>> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ExpireLocked();
            return new(_closed ? Fail(KvStatus.Unavailable) : ReadRange(request, _history, _revision));
        }
    }

    public ValueTask<KvResult<PutResponse>> PutAsync(PutRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return new(Fail(KvStatus.Unavailable));
            }
            if (CheckPut(request) is { } invalid)
            {
                return new(Fail(invalid));
            }
            if (request.Key.Length + request.Value.Length > MaxRequestBytes)
            {
                return new(Fail(KvStatus.RequestTooLarge));
            }
            var pending = new List<Change>();
            var result = ApplyPut(request, pending);
            if (result.IsOk)
            {
                CommitLocked(pending);
            }
            return new(result);
        }
    }

    public ValueTask<KvResult<DeleteRangeResponse>> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return new(Fail(KvStatus.Unavailable));
            }
            if (request.Key.Length == 0)
            {
                return new(Fail(KvStatus.EmptyKey));
            }
            var pending = new List<Change>();
            var response = ApplyDelete(request, pending);
            CommitLocked(pending);
            return new(KvResult<DeleteRangeResponse>.Ok(response));
        }
    }

    public ValueTask<KvResult<CompactResponse>> CompactAsync(CompactRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return new(Fail(KvStatus.Unavailable));
            }
            if (request.Revision <= _compactRevision)
            {
                return new(Fail(KvStatus.Compacted));
            }
            if (request.Revision > _revision)
            {
                return new(Fail(KvStatus.FutureRevision));
            }
            _compactRevision = request.Revision;
            // A watch that has not read past the new point now ends Compacted; wake it to say so.
            SignalLocked();
            return new(KvResult<CompactResponse>.Ok(new CompactResponse(_revision)));
        }
    }

    public ValueTask<StoreStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return new(new StoreStatus(_revision, _compactRevision));
        }
    }

    /// <summary>The model has no cluster.</summary>
    public MemberIdentity Identity => default;

    ValueTask<KvResult<MemberListResponse>> IKvStore.MemberListAsync(CancellationToken cancellationToken) => StandaloneMembership.List();

    ValueTask<KvResult<MemberAddResponse>> IKvStore.MemberAddAsync(MemberAddRequest request, CancellationToken cancellationToken) => StandaloneMembership.Add();

    ValueTask<KvResult<MemberListResponse>> IKvStore.MemberRemoveAsync(MemberRemoveRequest request, CancellationToken cancellationToken) => StandaloneMembership.Remove();

    /// <summary>Adds a write's changes as the next revision; a write that changed nothing leaves the revision alone.</summary>
    private void CommitLocked(List<Change> pending)
    {
        if (pending.Count == 0)
        {
            return;
        }
        _history.AddRange(pending);
        _revision++;
        SignalLocked();
    }

    private void SignalLocked()
    {
        var fired = _changed;
        _changed = NewSignal();
        fired.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static KvFailure Fail(KvStatus status) => KvFailure.Of(status);

    /// <summary>
    /// One put or delete of one key, as it happened. <see cref="Revision"/> is the mod revision; a delete
    /// has an empty value and zero create revision, version and lease.
    /// </summary>
    private sealed record Change(
        long Revision, int SubRevision, byte[] Key, byte[] Value, long CreateRevision, long Version, long Lease, bool IsDelete)
    {
        public KeyValue ToKeyValue() => new(Key, Value, CreateRevision, Revision, Version, Lease);
    }
}
