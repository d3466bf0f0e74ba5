namespace StateStore.Storage.Tests.Properties;

/// <summary>
/// Smaller variants of a failing sequence, tried in order: drop runs of commands (longest first), then
/// simplify one command at a time (drop a txn's compares and operations, reset a read's options).
/// </summary>
public static class Shrink
{
    public static IEnumerable<List<Command>> Sequence(List<Command> commands)
    {
        foreach (var shorter in Drop(commands))
        {
            yield return shorter;
        }
        for (var i = 0; i < commands.Count; i++)
        {
            foreach (var simpler in One(commands[i]))
            {
                yield return [.. commands.Take(i), simpler, .. commands.Skip(i + 1)];
            }
        }
    }

    /// <summary>The list without one run of items, for runs of half the list, a quarter, ... one.</summary>
    public static IEnumerable<List<T>> Drop<T>(IReadOnlyList<T> items)
    {
        for (var run = Math.Max(1, items.Count / 2); run >= 1 && items.Count > 0; run /= 2)
        {
            for (var start = 0; start + run <= items.Count; start += run)
            {
                yield return [.. items.Take(start), .. items.Skip(start + run)];
            }
        }
    }

    public static IEnumerable<Command> One(Command command) => command switch
    {
        TxnCommand txn => Txn(txn),
        RangeCommand range => Range(range),
        PutCommand put => Put(put),
        DeleteCommand { PrevKv: true } delete => [delete with { PrevKv = false }],
        _ => [],
    };

    private static IEnumerable<Command> Txn(TxnCommand txn)
    {
        foreach (var compares in Drop(txn.Compares))
        {
            yield return txn with { Compares = compares };
        }
        foreach (var success in Branch(txn.Success))
        {
            yield return txn with { Success = success };
        }
        foreach (var failure in Branch(txn.Failure))
        {
            yield return txn with { Failure = failure };
        }
    }

    private static IEnumerable<List<Command>> Branch(IReadOnlyList<Command> ops)
    {
        foreach (var fewer in Drop(ops))
        {
            yield return fewer;
        }
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i] is TxnCommand nested)
            {
                // A nested txn's operations, moved up into this branch.
                yield return [.. ops.Take(i), .. nested.Success, .. ops.Skip(i + 1)];
            }
            foreach (var simpler in One(ops[i]))
            {
                yield return [.. ops.Take(i), simpler, .. ops.Skip(i + 1)];
            }
        }
    }

    private static IEnumerable<Command> Range(RangeCommand range)
    {
        var plain = range with
        {
            Revision = new RevisionPick(RevisionKind.Current, 0),
            Limit = 0,
            SortOrder = Kv.SortOrder.None,
            SortTarget = Kv.SortTarget.Key,
            KeysOnly = false,
            CountOnly = false,
            MinMod = null,
            MaxMod = null,
            MinCreate = null,
            MaxCreate = null,
        };
        if (plain == range)
        {
            yield break;
        }
        yield return plain;
        if (range.MinMod is not null || range.MaxMod is not null || range.MinCreate is not null || range.MaxCreate is not null)
        {
            yield return range with { MinMod = null, MaxMod = null, MinCreate = null, MaxCreate = null };
        }
        if (range.Revision.Kind != RevisionKind.Current)
        {
            yield return range with { Revision = new RevisionPick(RevisionKind.Current, 0) };
        }
        if (range.Limit != 0)
        {
            yield return range with { Limit = 0 };
        }
        if (range.SortOrder != Kv.SortOrder.None || range.SortTarget != Kv.SortTarget.Key)
        {
            yield return range with { SortOrder = Kv.SortOrder.None, SortTarget = Kv.SortTarget.Key };
        }
        if (range.KeysOnly || range.CountOnly)
        {
            yield return range with { KeysOnly = false, CountOnly = false };
        }
    }

    private static IEnumerable<Command> Put(PutCommand put)
    {
        if (put.PrevKv)
        {
            yield return put with { PrevKv = false };
        }
        if (put.Lease != 0)
        {
            yield return put with { Lease = 0 };
        }
        if (put.Value.Length > 0 && !put.IgnoreValue)
        {
            yield return put with { Value = "" };
        }
    }
}
