using StateStore.Kv;

namespace StateStore.Testing.Model;

// Reading and writing keys by scanning the history. `view` is the history, or the history followed by
// a txn's not yet committed changes; the latest matching change in list order is the key's state.
public sealed partial class ModelKvStore
{
    /// <summary>The change that made <paramref name="key"/> what it is at <paramref name="revision"/>, if any.</summary>
    private static Change? Latest(IEnumerable<Change> view, byte[] key, long revision)
    {
        Change? latest = null;
        foreach (var change in view)
        {
            if (change.Revision <= revision && Same(change.Key, key))
            {
                latest = change;
            }
        }
        return latest;
    }

    /// <summary>The live version of <paramref name="key"/> at <paramref name="revision"/>, or null.</summary>
    private static KeyValue? Find(IEnumerable<Change> view, byte[] key, long revision) =>
        Latest(view, key, revision) is { IsDelete: false } change ? change.ToKeyValue() : null;

    /// <summary>Every key alive in <paramref name="range"/> at <paramref name="revision"/>, in key order.</summary>
    private static List<KeyValue> Alive(IEnumerable<Change> view, KeyRange range, long revision)
    {
        var keys = view
            .Where(c => c.Revision <= revision && range.Contains(c.Key))
            .Select(c => c.Key)
            .Distinct(ByteArrayComparer.Instance)
            .Order(ByteArrayComparer.Instance)
            .ToList();
        var alive = new List<KeyValue>();
        foreach (var key in keys)
        {
            if (Find(view, key, revision) is { } kv)
            {
                alive.Add(kv);
            }
        }
        return alive;
    }

    private static bool Same(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>A range read; <paramref name="current"/> is the revision the reader sees as the newest.</summary>
    private KvResult<RangeResponse> ReadRange(RangeRequest request, IEnumerable<Change> view, long current)
    {
        if (request.Key.Length == 0)
        {
            return Fail(KvStatus.EmptyKey);
        }
        var revision = request.Revision <= 0 ? current : request.Revision;
        if (revision > current)
        {
            return Fail(KvStatus.FutureRevision);
        }
        if (revision < _compactRevision)
        {
            return Fail(KvStatus.Compacted);
        }
        var alive = Alive(view, KeyRange.From(request.Key, request.RangeEnd), revision);
        var kvs = Sort(alive.Where(kv => PassesFilters(request, kv)), request.SortOrder, request.SortTarget);
        var more = false;
        if (request.Limit > 0 && kvs.Count > request.Limit)
        {
            kvs = kvs.Take((int)request.Limit).ToList();
            more = true;
        }
        if (request.CountOnly)
        {
            // etcd fetches no kvs for a count, so nothing is cut and More stays false.
            kvs = [];
            more = false;
        }
        if (request.KeysOnly)
        {
            kvs = kvs.Select(kv => kv with { Value = Bytes.Empty }).ToList();
        }
        return KvResult<RangeResponse>.Ok(new RangeResponse(current, kvs, more, alive.Count));
    }

    private static bool PassesFilters(RangeRequest request, KeyValue kv) =>
        (request.MinModRevision == 0 || kv.ModRevision >= request.MinModRevision)
        && (request.MaxModRevision == 0 || kv.ModRevision <= request.MaxModRevision)
        && (request.MinCreateRevision == 0 || kv.CreateRevision >= request.MinCreateRevision)
        && (request.MaxCreateRevision == 0 || kv.CreateRevision <= request.MaxCreateRevision);

    /// <summary>Sorts key-ordered kvs. LINQ's OrderBy and OrderByDescending are stable, so ties stay in key order.</summary>
    private static List<KeyValue> Sort(IEnumerable<KeyValue> keyOrdered, SortOrder order, SortTarget target)
    {
        if (order == SortOrder.None && target != SortTarget.Key)
        {
            order = SortOrder.Ascend;
        }
        if (target == SortTarget.Key)
        {
            return order == SortOrder.Descend ? keyOrdered.Reverse().ToList() : keyOrdered.ToList();
        }
        if (target == SortTarget.Value)
        {
            return order == SortOrder.Descend
                ? keyOrdered.OrderByDescending(kv => kv.Value, ByteArrayComparer.Instance).ToList()
                : keyOrdered.OrderBy(kv => kv.Value, ByteArrayComparer.Instance).ToList();
        }
        Func<KeyValue, long> field = target switch
        {
            SortTarget.Version => kv => kv.Version,
            SortTarget.Create => kv => kv.CreateRevision,
            SortTarget.Mod => kv => kv.ModRevision,
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown sort target"),
        };
        return order == SortOrder.Descend ? keyOrdered.OrderByDescending(field).ToList() : keyOrdered.OrderBy(field).ToList();
    }

    /// <summary>The checks a put gets before anything runs, on its own or inside a txn.</summary>
    private static KvStatus? CheckPut(PutRequest request)
    {
        if (request.Key.Length == 0)
        {
            return KvStatus.EmptyKey;
        }
        if (request.IgnoreValue && request.Value.Length != 0)
        {
            return KvStatus.ValueProvided;
        }
        if (request.IgnoreLease && request.Lease != 0)
        {
            return KvStatus.LeaseProvided;
        }
        return null;
    }

    /// <summary>The revision a write in progress sees as current: the next one once it has changed something.</summary>
    private long CurrentWith(List<Change> pending) => pending.Count > 0 ? _revision + 1 : _revision;

    /// <summary>Runs a (validated) put as part of the write whose changes are <paramref name="pending"/>.</summary>
    private KvResult<PutResponse> ApplyPut(PutRequest request, List<Change> pending)
    {
        var revision = _revision + 1;
        var previous = Find(_history.Concat(pending), request.Key, revision);
        if ((request.IgnoreValue || request.IgnoreLease) && previous is null)
        {
            return Fail(KvStatus.KeyNotFound);
        }
        if (NoSpaceLocked)
        {
            return Fail(KvStatus.NoSpace);
        }
        if (!request.IgnoreLease && request.Lease != 0 && !_leases.ContainsKey(request.Lease))
        {
            return Fail(KvStatus.LeaseNotFound);
        }
        pending.Add(new Change(
            revision,
            pending.Count,
            request.Key,
            request.IgnoreValue ? previous!.Value : request.Value,
            previous?.CreateRevision ?? revision,
            (previous?.Version ?? 0) + 1,
            request.IgnoreLease ? previous!.Lease : request.Lease,
            IsDelete: false));
        return KvResult<PutResponse>.Ok(new PutResponse(revision, request.PrevKv ? previous : null));
    }

    /// <summary>Runs a (validated) delete as part of the write whose changes are <paramref name="pending"/>.</summary>
    private DeleteRangeResponse ApplyDelete(DeleteRangeRequest request, List<Change> pending)
    {
        var revision = _revision + 1;
        var victims = Alive(_history.Concat(pending).ToList(), KeyRange.From(request.Key, request.RangeEnd), revision);
        foreach (var kv in victims)
        {
            pending.Add(new Change(revision, pending.Count, kv.Key, Bytes.Empty, 0, 0, 0, IsDelete: true));
        }
        return new DeleteRangeResponse(CurrentWith(pending), victims.Count, request.PrevKv ? victims : []);
    }
}
