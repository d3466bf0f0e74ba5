namespace StateStore.Kv;

/// <summary>The order of a range's results (etcd RangeRequest.SortOrder).</summary>
public enum SortOrder
{
    None = 0,
    Ascend = 1,
    Descend = 2,
}

/// <summary>The field a range's results are sorted by (etcd RangeRequest.SortTarget).</summary>
public enum SortTarget
{
    Key = 0,
    Version = 1,
    Create = 2,
    Mod = 3,
    Value = 4,
}

/// <summary>etcd's RangeRequest: keys in [Key, RangeEnd) at a revision, with limits, filters and sorting.</summary>
public sealed record RangeRequest
{
    public required byte[] Key { get; init; }
    public byte[]? RangeEnd { get; init; }
    /// <summary>At most this many keys (0: no limit).</summary>
    public long Limit { get; init; }
    /// <summary>Read at this revision (≤ 0: the current one).</summary>
    public long Revision { get; init; }
    public SortOrder SortOrder { get; init; }
    public SortTarget SortTarget { get; init; }
    /// <summary>Answer from the local member without a read barrier (ignored by a single store).</summary>
    public bool Serializable { get; init; }
    public bool KeysOnly { get; init; }
    public bool CountOnly { get; init; }
    public long MinModRevision { get; init; }
    public long MaxModRevision { get; init; }
    public long MinCreateRevision { get; init; }
    public long MaxCreateRevision { get; init; }
}

/// <summary>etcd's PutRequest.</summary>
public sealed record PutRequest
{
    public required byte[] Key { get; init; }
    public byte[] Value { get; init; } = Bytes.Empty;
    public long Lease { get; init; }
    public bool PrevKv { get; init; }
    /// <summary>Keep the current value (the key must exist; Value must be empty).</summary>
    public bool IgnoreValue { get; init; }
    /// <summary>Keep the current lease (the key must exist; Lease must be 0).</summary>
    public bool IgnoreLease { get; init; }
}

/// <summary>etcd's DeleteRangeRequest.</summary>
public sealed record DeleteRangeRequest
{
    public required byte[] Key { get; init; }
    public byte[]? RangeEnd { get; init; }
    public bool PrevKv { get; init; }
}

/// <summary>What a txn compare looks at (etcd Compare.CompareTarget).</summary>
public enum CompareTarget
{
    Version = 0,
    Create = 1,
    Mod = 2,
    Value = 3,
    Lease = 4,
}

/// <summary>How a txn compare judges (etcd Compare.CompareResult).</summary>
public enum CompareResult
{
    Equal = 0,
    Greater = 1,
    Less = 2,
    NotEqual = 3,
}

/// <summary>
/// etcd's Compare: <c>target(key) result operand</c>. With a range end it must hold for every key
/// in the range. <see cref="Number"/> is the version, create/mod revision or lease operand;
/// <see cref="Value"/> the value operand.
/// </summary>
public sealed record Compare
{
    public required byte[] Key { get; init; }
    public byte[]? RangeEnd { get; init; }
    public CompareTarget Target { get; init; }
    public CompareResult Result { get; init; }
    public long Number { get; init; }
    public byte[] Value { get; init; } = Bytes.Empty;
}

/// <summary>One operation inside a txn branch: exactly one of the four is set.</summary>
public sealed record RequestOp
{
    public RangeRequest? Range { get; init; }
    public PutRequest? Put { get; init; }
    public DeleteRangeRequest? DeleteRange { get; init; }
    public TxnRequest? Txn { get; init; }

    public static RequestOp Of(RangeRequest r) => new() { Range = r };
    public static RequestOp Of(PutRequest r) => new() { Put = r };
    public static RequestOp Of(DeleteRangeRequest r) => new() { DeleteRange = r };
    public static RequestOp Of(TxnRequest r) => new() { Txn = r };
}

/// <summary>etcd's TxnRequest: if every compare holds, run Success, otherwise Failure, all at one revision.</summary>
public sealed record TxnRequest
{
    public IReadOnlyList<Compare> Compare { get; init; } = [];
    public IReadOnlyList<RequestOp> Success { get; init; } = [];
    public IReadOnlyList<RequestOp> Failure { get; init; } = [];
}

/// <summary>etcd's CompactionRequest.</summary>
public sealed record CompactRequest
{
    public required long Revision { get; init; }
    /// <summary>Wait until the compaction is physically applied (always true here: compaction is synchronous).</summary>
    public bool Physical { get; init; }
}
