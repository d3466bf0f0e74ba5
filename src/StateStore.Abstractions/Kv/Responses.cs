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

/// <summary>The store's position: current revision and compaction point.</summary>
public sealed record StoreStatus(long Revision, long CompactRevision);
