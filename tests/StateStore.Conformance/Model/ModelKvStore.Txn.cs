using StateStore.Kv;

namespace StateStore.Testing.Model;

// Transactions: validate the whole request, then run the chosen branch against the history plus the
// txn's own pending changes, and commit them as one revision only if every operation succeeded.
public sealed partial class ModelKvStore
{
    public ValueTask<KvResult<TxnResponse>> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return new(Fail(KvStatus.Unavailable));
            }
            if (Validate(request) is { } invalid)
            {
                return new(Fail(invalid));
            }
            if (NoSpaceLocked && Quota.CostOf(request) > 0)
            {
                return new(Fail(KvStatus.NoSpace));
            }
            var pending = new List<Change>();
            var result = RunTxn(request, pending);
            if (result.IsOk)
            {
                CommitLocked(pending);
            }
            return new(result);
        }
    }

    private KvResult<TxnResponse> RunTxn(TxnRequest request, List<Change> pending)
    {
        // As in etcd (compareToPath), every compare, a nested txn's too, sees the store as it was before
        // the txn: the path through the txn is fixed before anything runs. Reads see earlier writes.
        var succeeded = request.Compare.All(Holds);
        var responses = new List<ResponseOp>();
        foreach (var op in succeeded ? request.Success : request.Failure)
        {
            if (op.Range is { } range)
            {
                var read = ReadRange(range, _history.Concat(pending).ToList(), CurrentWith(pending));
                if (!read.IsOk)
                {
                    return Fail(read.Status);
                }
                responses.Add(new ResponseOp { Range = read.Value });
            }
            else if (op.Put is { } put)
            {
                var written = ApplyPut(put, pending);
                if (!written.IsOk)
                {
                    return Fail(written.Status);
                }
                responses.Add(new ResponseOp { Put = written.Value });
            }
            else if (op.DeleteRange is { } delete)
            {
                responses.Add(new ResponseOp { DeleteRange = ApplyDelete(delete, pending) });
            }
            else
            {
                var nested = RunTxn(op.Txn!, pending);
                if (!nested.IsOk)
                {
                    return Fail(nested.Status);
                }
                responses.Add(new ResponseOp { Txn = nested.Value });
            }
        }
        return KvResult<TxnResponse>.Ok(new TxnResponse(CurrentWith(pending), succeeded, responses));
    }

    private bool Holds(Compare compare)
    {
        var kvs = Alive(_history, KeyRange.From(compare.Key, compare.RangeEnd), _revision);
        if (kvs.Count == 0)
        {
            return compare.Target != CompareTarget.Value && Matches(compare, new KeyValue(compare.Key, Bytes.Empty, 0, 0, 0, 0));
        }
        return kvs.All(kv => Matches(compare, kv));
    }

    private static bool Matches(Compare compare, KeyValue kv)
    {
        var order = compare.Target switch
        {
            CompareTarget.Version => kv.Version.CompareTo(compare.Number),
            CompareTarget.Create => kv.CreateRevision.CompareTo(compare.Number),
            CompareTarget.Mod => kv.ModRevision.CompareTo(compare.Number),
            CompareTarget.Lease => kv.Lease.CompareTo(compare.Number),
            CompareTarget.Value => Bytes.Compare(kv.Value, compare.Value),
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Target, "unknown compare target"),
        };
        return compare.Result switch
        {
            CompareResult.Equal => order == 0,
            CompareResult.Greater => order > 0,
            CompareResult.Less => order < 0,
            CompareResult.NotEqual => order != 0,
            _ => throw new ArgumentOutOfRangeException(nameof(compare), compare.Result, "unknown compare result"),
        };
    }

    /// <summary>
    /// The request-wide checks, in the order docs/kv-semantics.md lists them (too many ops anywhere
    /// first, then malformed operations in etcd's order, duplicates, size); null when valid.
    /// </summary>
    private static KvStatus? Validate(TxnRequest request)
    {
        var txns = Txns(request).ToList();
        if (txns.Any(t => t.Compare.Count > MaxTxnOps || t.Success.Count > MaxTxnOps || t.Failure.Count > MaxTxnOps))
        {
            return KvStatus.TooManyOps;
        }
        if (FirstInvalidOp(request) is { } invalid)
        {
            return invalid;
        }
        if (Footprint(request.Success) is null || Footprint(request.Failure) is null)
        {
            return KvStatus.DuplicateKey;
        }
        if (txns.Sum(Size) > MaxRequestBytes)
        {
            return KvStatus.RequestTooLarge;
        }
        return null;
    }

    /// <summary>
    /// The first malformed compare or operation in etcd's order: a txn's compares, then its success and
    /// failure operations, a nested txn checked where it stands.
    /// </summary>
    private static KvStatus? FirstInvalidOp(TxnRequest request)
    {
        if (request.Compare.Any(c => c.Key.Length == 0))
        {
            return KvStatus.EmptyKey;
        }
        foreach (var op in request.Success.Concat(request.Failure))
        {
            var kinds = (op.Range is null ? 0 : 1) + (op.Put is null ? 0 : 1) + (op.DeleteRange is null ? 0 : 1) + (op.Txn is null ? 0 : 1);
            var invalid = kinds != 1 ? KvStatus.InvalidArgument
                : op.Put is { } put ? CheckPut(put)
                : op.Txn is { } nested ? FirstInvalidOp(nested)
                : (op.Range?.Key ?? op.DeleteRange!.Key).Length == 0 ? KvStatus.EmptyKey
                : null;
            if (invalid is not null)
            {
                return invalid;
            }
        }
        return null;
    }

    /// <summary>The txn and every txn nested in it, depth first.</summary>
    private static IEnumerable<TxnRequest> Txns(TxnRequest request) =>
        request.Success.Concat(request.Failure)
            .Select(op => op.Txn)
            .OfType<TxnRequest>()
            .SelectMany(Txns)
            .Prepend(request);

    /// <summary>The bytes of every key, range end and value a txn names, its nested txns excluded.</summary>
    private static long Size(TxnRequest request) =>
        request.Compare.Sum(c => (long)c.Key.Length + (c.RangeEnd?.Length ?? 0) + c.Value.Length)
        + request.Success.Concat(request.Failure).Sum(op =>
            op.Range is { } r ? r.Key.Length + (r.RangeEnd?.Length ?? 0)
            : op.Put is { } p ? p.Key.Length + p.Value.Length
            : op.DeleteRange is { } d ? d.Key.Length + (d.RangeEnd?.Length ?? 0)
            : 0L);

    /// <summary>
    /// etcd's checkIntervals over one list of operations, as docs/kv-semantics.md spells it out: the keys
    /// the list may put and the ranges it may delete, or null when a key is put twice or a put falls in
    /// a delete range. The list's own deletes come first; each nested txn's puts (from both branches,
    /// which may share a key) are checked against what was gathered before it, and only then are its
    /// puts and deletes gathered; the list's own puts are checked last, against everything.
    /// </summary>
    private static (HashSet<byte[]> Puts, List<KeyRange> Deletes)? Footprint(IReadOnlyList<RequestOp> ops)
    {
        var deletes = ops.Select(op => op.DeleteRange).OfType<DeleteRangeRequest>().Select(d => KeyRange.From(d.Key, d.RangeEnd)).ToList();
        var puts = new HashSet<byte[]>(ByteArrayComparer.Instance);
        foreach (var nested in ops.Select(op => op.Txn).OfType<TxnRequest>())
        {
            if (Footprint(nested.Success) is not { } then || Footprint(nested.Failure) is not { } otherwise)
            {
                return null;
            }
            foreach (var key in then.Puts)
            {
                if (puts.Contains(key) || deletes.Any(range => range.Contains(key)))
                {
                    return null;
                }
                puts.Add(key);
            }
            foreach (var key in otherwise.Puts)
            {
                if ((puts.Contains(key) && !then.Puts.Contains(key)) || deletes.Any(range => range.Contains(key)))
                {
                    return null;
                }
                puts.Add(key);
            }
            deletes.AddRange(then.Deletes);
            deletes.AddRange(otherwise.Deletes);
        }
        foreach (var put in ops.Select(op => op.Put).OfType<PutRequest>())
        {
            if (!puts.Add(put.Key) || deletes.Any(range => range.Contains(put.Key)))
            {
                return null;
            }
        }
        return (puts, deletes);
    }
}
