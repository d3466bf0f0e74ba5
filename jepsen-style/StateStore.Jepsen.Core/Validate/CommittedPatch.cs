using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>
/// Decides the Unknown writes, Cas and Txns from the committed history, as etcd's robustness validation patches its
/// history from the watch: values are unique, so an Unknown op whose value no committed event holds never
/// happened and is dropped, and one whose value was committed at revision r happened before any op that
/// answered with a revision of r or later (that op's answer reflected a store that held r) — it is searched as
/// an op that returned at the earliest such answer. What is left Unknown has no later answer to bound it.
/// Unknown deletes are dropped where the committed history shows they deleted nothing (<see cref="UnexplainedDeletes"/>).
/// This trusts the committed history; the watch checks and the acknowledged-write check are what test it.
/// </summary>
public static class CommittedPatch
{
    public static IReadOnlyList<Operation> Apply(IReadOnlyList<Operation> history, IReadOnlyList<WatchEvent> committed)
    {
        if (committed.Count == 0)
        {
            return history;
        }
        var revisionOf = new Dictionary<(string, string), long>();
        foreach (var e in committed.Where(e => !e.Delete && e.Value is not null))
        {
            revisionOf.TryAdd((e.Key, e.Value!), e.Revision);
        }
        // The earliest answer carrying each revision or a later one: a suffix minimum over answers by revision.
        var answered = history.Where(o => o.Outcome == Outcome.Ok && o.CompleteNs is not null && o.Revision > 0).OrderBy(o => o.Revision).ToList();
        var revisions = answered.Select(o => o.Revision).ToArray();
        var earliestFrom = new long[answered.Count + 1];
        earliestFrom[answered.Count] = long.MaxValue;
        for (var i = answered.Count - 1; i >= 0; i--)
        {
            earliestFrom[i] = Math.Min(earliestFrom[i + 1], answered[i].CompleteNs!.Value);
        }
        var unexplainedDeletes = UnexplainedDeletes(history, committed);
        var patched = new List<Operation>(history.Count);
        foreach (var op in history)
        {
            if (op is { Outcome: Outcome.Unknown, Type: OpType.Delete or OpType.CompareAndDelete } && unexplainedDeletes.GetValueOrDefault(op.Key) <= 0)
            {
                continue;
            }
            var writes = op.Writes().ToList();
            if (op.Outcome != Outcome.Unknown || writes.Count == 0)
            {
                patched.Add(op);
                continue;
            }
            // A Txn's puts all commit at one revision, or none does.
            if (writes.Select(w => revisionOf.GetValueOrDefault((w.Key, w.Value!))).FirstOrDefault(r => r > 0) is not (> 0 and var revision))
            {
                continue;
            }
            var first = Array.BinarySearch(revisions, revision);
            if (first < 0)
            {
                first = ~first;
            }
            while (first > 0 && revisions[first - 1] == revision)
            {
                first--;
            }
            var bound = earliestFrom[first];
            patched.Add(bound == long.MaxValue ? op : op with
            {
                Outcome = Outcome.Ok,
                CompleteNs = Math.Max(bound, op.InvokeNs),
                Succeeded = op.Type is OpType.Cas or OpType.Txn ? true : null,
                Revision = revision,
            });
        }
        return patched;
    }

    /// <summary>
    /// Per key, the committed delete events that no answered delete accounts for: each delete that answered that it
    /// deleted made exactly one, so when none is left over every Unknown delete of the key deleted nothing (it did not
    /// happen, or found the key absent, or its compare failed) and is dropped. Deletes have no unique value to match
    /// them one by one; a key with events left over keeps its Unknown deletes, which the search must place.
    /// </summary>
    private static Dictionary<string, int> UnexplainedDeletes(IReadOnlyList<Operation> history, IReadOnlyList<WatchEvent> committed)
    {
        var left = committed.Where(e => e.Delete).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Count());
        foreach (var op in history.Where(o => o is { Outcome: Outcome.Ok, Type: OpType.Delete or OpType.CompareAndDelete, Succeeded: true }))
        {
            left[op.Key] = left.GetValueOrDefault(op.Key) - 1;
        }
        return left;
    }
}
