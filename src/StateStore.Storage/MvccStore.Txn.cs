using StateStore.Kv;
using StateStore.Storage.Index;
using StateStore.Storage.Validation;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    public KvResult<TxnResponse> Txn(TxnRequest request)
    {
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return invalid;
        }
        return Write(batch =>
        {
            // As etcd: decide every branch (nested ones too) against the state before the txn, and
            // check the chosen operations, before anything changes.
            if (_noSpace && Quota.CostOf(request) > 0)
            {
                // As etcd's capped applier: a txn that may put is refused whole while NOSPACE is raised.
                return KvFailure.Of(KvStatus.NoSpace);
            }
            var path = new Queue<bool>();
            if (ChoosePath(request, path) is { } failure)
            {
                return failure;
            }
            return KvResult<TxnResponse>.Ok(Execute(request, path, batch));
        });
    }

    /// <summary>Evaluates the compares along the path the txn will take, in execution order, and checks its operations.</summary>
    private KvFailure? ChoosePath(TxnRequest txn, Queue<bool> path)
    {
        var succeeded = txn.Compare.All(Holds);
        path.Enqueue(succeeded);
        foreach (var op in succeeded ? txn.Success : txn.Failure)
        {
            var failure = op switch
            {
                { Put: { } put } => CheckPut(put),
                { Range: { Revision: > 0 } range } => CheckReadable(range.Revision),
                { Txn: { } nested } => ChoosePath(nested, path),
                _ => null,
            };
            if (failure is not null)
            {
                return failure;
            }
        }
        return null;
    }

    private TxnResponse Execute(TxnRequest txn, Queue<bool> path, WriteBatch batch)
    {
        var succeeded = path.Dequeue();
        var ops = succeeded ? txn.Success : txn.Failure;
        var responses = new List<ResponseOp>(ops.Count);
        foreach (var op in ops)
        {
            responses.Add(op switch
            {
                { Range: { } range } => new ResponseOp { Range = RangeInWrite(range, batch) },
                { Put: { } put } => new ResponseOp { Put = PutInWrite(put, batch) },
                { DeleteRange: { } delete } => new ResponseOp { DeleteRange = DeleteInWrite(delete, batch) },
                { Txn: { } nested } => new ResponseOp { Txn = Execute(nested, path, batch) },
                _ => ThrowHelper.Corrupt<ResponseOp>("a validated txn operation names no request"),
            });
        }
        return new TxnResponse(batch.Changed ? batch.Revision : _revision, succeeded, responses);
    }

    /// <summary>etcd's applyCompare: every key alive in the range must satisfy it; no key compares as zero (a value compare fails).</summary>
    private bool Holds(Compare compare)
    {
        var any = false;
        foreach (var key in _index.InRange(KeyRange.From(compare.Key, compare.RangeEnd)))
        {
            if (!key.IsAlive)
            {
                continue;
            }
            any = true;
            if (!Holds(compare, key))
            {
                return false;
            }
        }
        return any || (compare.Target != CompareTarget.Value && Judge(0L.CompareTo(compare.Number), compare.Result));
    }

    private bool Holds(Compare compare, KeyIndex key) => compare.Target switch
    {
        CompareTarget.Version => Judge(key.Version.CompareTo(compare.Number), compare.Result),
        CompareTarget.Create => Judge(key.CreateRevision.CompareTo(compare.Number), compare.Result),
        CompareTarget.Mod => Judge(key.Latest.Main.CompareTo(compare.Number), compare.Result),
        CompareTarget.Lease => Judge(key.Lease.CompareTo(compare.Number), compare.Result),
        CompareTarget.Value => Judge(Bytes.Compare(ReadIndexed(key.Latest).Value, compare.Value), compare.Result),
        _ => false,
    };

    private static bool Judge(int comparison, CompareResult result) => result switch
    {
        CompareResult.Equal => comparison == 0,
        CompareResult.Greater => comparison > 0,
        CompareResult.Less => comparison < 0,
        CompareResult.NotEqual => comparison != 0,
        _ => false,
    };
}
