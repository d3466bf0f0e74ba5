namespace StateStore.Kv;

/// <summary>etcd's RangeResponse. <see cref="Revision"/> is the current store revision (also for a read in the past, as etcd).</summary>
public sealed record RangeResponse(long Revision, IReadOnlyList<KeyValue> Kvs, bool More, long Count);

/// <summary>etcd's PutResponse. <see cref="Revision"/> is the revision of the write.</summary>
public sealed record PutResponse(long Revision, KeyValue? PrevKv);

/// <summary>etcd's DeleteRangeResponse.</summary>
public sealed record DeleteRangeResponse(long Revision, long Deleted, IReadOnlyList<KeyValue> PrevKvs);

/// <summary>The answer to one txn operation: the one matching the request's kind is set.</summary>
public sealed record ResponseOp
{
    public RangeResponse? Range { get; init; }
    public PutResponse? Put { get; init; }
    public DeleteRangeResponse? DeleteRange { get; init; }
    public TxnResponse? Txn { get; init; }
}

/// <summary>etcd's TxnResponse.</summary>
public sealed record TxnResponse(long Revision, bool Succeeded, IReadOnlyList<ResponseOp> Responses);

/// <summary>etcd's CompactionResponse.</summary>
public sealed record CompactResponse(long Revision);

/// <summary>etcd's HashKVResponse: a hash of every key-value version at or below a revision.</summary>
public sealed record HashKvResponse(long Revision, uint Hash, long CompactRevision);

/// <summary>
/// The store's position (current revision and compaction point) and, for a replicated store, the
/// member's view of the cluster — what etcd's Maintenance.Status reports.
/// </summary>
public sealed record StoreStatus(long Revision, long CompactRevision)
{
    /// <summary>The member answering (0 for a store without Raft).</summary>
    public ulong MemberId { get; init; }

    /// <summary>The member this one believes leads (0 when none is known).</summary>
    public ulong LeaderId { get; init; }

    public long RaftTerm { get; init; }

    /// <summary>The last index in this member's Raft log.</summary>
    public long RaftIndex { get; init; }

    public long RaftAppliedIndex { get; init; }

    /// <summary>Bytes the store occupies on disk.</summary>
    public long DbSizeBytes { get; init; }

    /// <summary>Errors the member reports (etcd's Status.errors).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}

/// <summary>Who answers a request: etcd's ResponseHeader fields other than the revision.</summary>
public readonly record struct MemberIdentity(ulong ClusterId, ulong MemberId, long RaftTerm);
