using StateStore.Kv;

namespace StateStore.Storage.Validation;

/// <summary>
/// The checks a request passes before it may touch the store, in etcd's order: too many ops, empty
/// keys and ignore-flag misuse, duplicate keys in a txn, total size.
/// </summary>
public static class RequestValidator
{
    public static KvFailure? Validate(RangeRequest request) =>
        request.Key.Length == 0 ? KvFailure.Of(KvStatus.EmptyKey) : null;

    public static KvFailure? Validate(PutRequest request) =>
        CheckPut(request) ?? CheckSize(request.Key.Length + request.Value.Length);

    public static KvFailure? Validate(DeleteRangeRequest request) =>
        request.Key.Length == 0 ? KvFailure.Of(KvStatus.EmptyKey) : null;

    public static KvFailure? Validate(TxnRequest request)
    {
        long size = 0;
        return CheckCounts(request)
            ?? CheckKeys(request, ref size)
            ?? CheckDuplicates(request)
            ?? CheckSize(size);
    }

    private static KvFailure? CheckPut(PutRequest put)
    {
        if (put.Key.Length == 0)
        {
            return KvFailure.Of(KvStatus.EmptyKey);
        }
        if (put.IgnoreValue && put.Value.Length != 0)
        {
            return KvFailure.Of(KvStatus.ValueProvided);
        }
        if (put.IgnoreLease && put.Lease != 0)
        {
            return KvFailure.Of(KvStatus.LeaseProvided);
        }
        return null;
    }

    private static KvFailure? CheckSize(long size) =>
        size > RequestLimits.MaxRequestBytes ? KvFailure.Of(KvStatus.RequestTooLarge) : null;

    private static KvFailure? CheckCounts(TxnRequest txn)
    {
        if (txn.Compare.Count > RequestLimits.MaxTxnOps || txn.Success.Count > RequestLimits.MaxTxnOps || txn.Failure.Count > RequestLimits.MaxTxnOps)
        {
            return KvFailure.Of(KvStatus.TooManyOps);
        }
        foreach (var op in txn.Success.Concat(txn.Failure))
        {
            if (op.Txn is { } nested && CheckCounts(nested) is { } failure)
            {
                return failure;
            }
        }
        return null;
    }

    private static KvFailure? CheckKeys(TxnRequest txn, ref long size)
    {
        foreach (var compare in txn.Compare)
        {
            if (compare.Key.Length == 0)
            {
                return KvFailure.Of(KvStatus.EmptyKey);
            }
            size += compare.Key.Length + (compare.RangeEnd?.Length ?? 0) + compare.Value.Length;
        }
        foreach (var op in txn.Success.Concat(txn.Failure))
        {
            var failure = op switch
            {
                { Put: { } put } => CheckPut(put),
                { Range: { } range } => Validate(range),
                { DeleteRange: { } delete } => Validate(delete),
                { Txn: { } nested } => CheckKeys(nested, ref size),
                _ => new KvFailure(KvStatus.InvalidArgument, "etcdserver: a txn operation names no request"),
            };
            if (failure is not null)
            {
                return failure;
            }
            size += op switch
            {
                { Put: { } put } => put.Key.Length + put.Value.Length,
                { Range: { } range } => range.Key.Length + (range.RangeEnd?.Length ?? 0),
                { DeleteRange: { } delete } => delete.Key.Length + (delete.RangeEnd?.Length ?? 0),
                _ => 0,
            };
        }
        return null;
    }

    private static KvFailure? CheckDuplicates(TxnRequest txn) =>
        CheckIntervals(txn.Success, out _, out _) ?? CheckIntervals(txn.Failure, out _, out _);

    /// <summary>
    /// etcd's checkIntervals: within one list of ops (nested txns' puts and deletes included), no key
    /// is put twice and no put falls inside a delete range — except that a nested txn's success and
    /// failure lists may put the same key, as only one of them runs.
    /// </summary>
    private static KvFailure? CheckIntervals(IReadOnlyList<RequestOp> ops, out HashSet<byte[]> puts, out List<KeyRange> deletes)
    {
        puts = new HashSet<byte[]>(ByteArrayComparer.Instance);
        deletes = [];
        foreach (var op in ops)
        {
            if (op.DeleteRange is { } delete)
            {
                deletes.Add(KeyRange.From(delete.Key, delete.RangeEnd));
            }
        }
        foreach (var op in ops)
        {
            if (op.Txn is not { } nested)
            {
                continue;
            }
            if (CheckIntervals(nested.Success, out var putsThen, out var deletesThen) is { } thenFailure)
            {
                return thenFailure;
            }
            if (CheckIntervals(nested.Failure, out var putsElse, out var deletesElse) is { } elseFailure)
            {
                return elseFailure;
            }
            foreach (var key in putsThen)
            {
                if (puts.Contains(key) || Covers(deletes, key))
                {
                    return KvFailure.Of(KvStatus.DuplicateKey);
                }
                puts.Add(key);
            }
            foreach (var key in putsElse)
            {
                if ((puts.Contains(key) && !putsThen.Contains(key)) || Covers(deletes, key))
                {
                    return KvFailure.Of(KvStatus.DuplicateKey);
                }
                puts.Add(key);
            }
            deletes.AddRange(deletesThen);
            deletes.AddRange(deletesElse);
        }
        foreach (var op in ops)
        {
            if (op.Put is not { } put)
            {
                continue;
            }
            if (!puts.Add(put.Key) || Covers(deletes, put.Key))
            {
                return KvFailure.Of(KvStatus.DuplicateKey);
            }
        }
        return null;
    }

    private static bool Covers(List<KeyRange> ranges, byte[] key)
    {
        foreach (var range in ranges)
        {
            if (range.Contains(key))
            {
                return true;
            }
        }
        return false;
    }
}
