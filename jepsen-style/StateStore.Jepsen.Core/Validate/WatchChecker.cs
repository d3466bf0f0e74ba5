using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>
/// etcd's watch guarantees (api/v3 watch docs; tests/robustness/validate/watch.go), checked against the
/// committed history — every event from revision 1 to the final revision, read at the end on a healed
/// cluster — and the acknowledged writes of the history:
/// ordered (revisions never go back), unique (no key event twice), atomic (a revision's events arrive in one
/// response and all of them), reliable (no event missing between a watcher's start and the final revision;
/// called resumable when the gap is where the watcher resumed on another member), each event as committed,
/// and every acknowledged write at the revision its answer named.
/// </summary>
public static class WatchChecker
{
    /// <summary>Only this many violations of one check on one watcher are listed.</summary>
    private const int PerCheck = 5;

    public static IReadOnlyList<Violation> Check(IReadOnlyList<WatchLog> watchers, IReadOnlyList<WatchEvent> committed, long initialRevision, long finalRevision, IReadOnlyList<Operation> history)
    {
        var violations = new List<Violation>();
        var byRevision = committed.GroupBy(e => e.Revision).ToDictionary(g => g.Key, g => g.ToList());
        CheckCommitted(committed, initialRevision, finalRevision, violations);
        foreach (var watcher in watchers)
        {
            CheckOrderedAndUnique(watcher, violations);
            CheckAtomic(watcher, byRevision, violations);
            CheckReliable(watcher, byRevision, finalRevision, violations);
        }
        CheckAcknowledged(history, byRevision, violations);
        return violations;
    }

    /// <summary>
    /// Every revision after the store's revision when the workload began (1 on a fresh store, as in etcd) is a
    /// write of the workload: the committed history must hold each of them, in order, none skipped.
    /// </summary>
    private static void CheckCommitted(IReadOnlyList<WatchEvent> committed, long initialRevision, long finalRevision, List<Violation> violations)
    {
        var last = initialRevision;
        foreach (var e in committed)
        {
            if (e.Revision != last && e.Revision != last + 1)
            {
                violations.Add(new("committed-history", $"the history read at the end has {e} after revision {last}"));
                return;
            }
            last = e.Revision;
        }
        if (last != finalRevision)
        {
            violations.Add(new("committed-history", $"the history read at the end stops at revision {last}, the store is at {finalRevision}"));
        }
    }

    private static void CheckOrderedAndUnique(WatchLog watcher, List<Violation> violations)
    {
        var seen = new HashSet<(string, long)>();
        int ordered = 0, unique = 0;
        for (var i = 0; i < watcher.Events.Count; i++)
        {
            var current = watcher.Events[i];
            if (i > 0 && watcher.Events[i - 1] is var previous && current.Event.Revision < previous.Event.Revision && ordered++ < PerCheck)
            {
                violations.Add(new("ordered", $"{watcher.Name} received {current.Event} (from {current.Member}) after {previous.Event} (from {previous.Member})"));
            }
            if (!seen.Add((current.Event.Key, current.Event.Revision)) && unique++ < PerCheck)
            {
                violations.Add(new("unique", $"{watcher.Name} received {current.Event} twice (again from {current.Member}, session {current.Session})"));
            }
        }
    }

    private static void CheckAtomic(WatchLog watcher, Dictionary<long, List<WatchEvent>> committed, List<Violation> violations)
    {
        var count = 0;
        foreach (var group in watcher.Events.GroupBy(e => e.Event.Revision))
        {
            // A repeated event is the unique check's to report; here each event counts where it first came.
            var responses = group.DistinctBy(e => e.Event).Select(e => e.Response).Distinct().Count();
            var expected = committed.TryGetValue(group.Key, out var events) ? events.Count : 0;
            var distinct = group.Select(e => e.Event).Distinct().Count();
            if ((responses > 1 || (expected > 0 && distinct != expected)) && count++ < PerCheck)
            {
                violations.Add(new("atomic", $"{watcher.Name} received {distinct} of the {expected} events of revision {group.Key} in {responses} responses"));
            }
        }
    }

    /// <summary>From its start revision to the final revision a watcher must receive exactly the committed events, each as committed.</summary>
    private static void CheckReliable(WatchLog watcher, Dictionary<long, List<WatchEvent>> committed, long finalRevision, List<Violation> violations)
    {
        var received = watcher.Events.GroupBy(e => e.Event.Revision).ToDictionary(g => g.Key, g => g.ToList());
        var count = 0;
        for (var revision = Math.Max(1, watcher.StartRevision); revision <= finalRevision && count < PerCheck; revision++)
        {
            var expected = committed.GetValueOrDefault(revision) ?? [];
            var got = received.GetValueOrDefault(revision) ?? [];
            if (got.Count == 0 && expected.Count > 0)
            {
                count++;
                violations.Add(new(IsResumption(watcher, revision) ? "resumable" : "reliable", $"{watcher.Name} never received {expected[0]}{Around(watcher, revision)}"));
            }
            else if (got.FirstOrDefault(g => !expected.Contains(g.Event)) is { } wrong)
            {
                count++;
                violations.Add(new("reliable", $"{watcher.Name} received {wrong.Event} from {wrong.Member}, but the committed history has "
                    + (expected.Count == 0 ? "nothing" : string.Join(", ", expected)) + $" at revision {revision}"));
            }
        }
    }

    private static void CheckAcknowledged(IReadOnlyList<Operation> history, Dictionary<long, List<WatchEvent>> committed, List<Violation> violations)
    {
        // An answer without a revision (0: a server that answered before it knew one) is checked by its key and value alone.
        var written = committed.Values.SelectMany(events => events).Where(e => !e.Delete).Select(e => (e.Key, e.Value)).ToHashSet();
        foreach (var op in history.Where(o => Acknowledged(o).Any(e => o.Revision == 0
            ? !written.Contains((e.Key, e.Value))
            : !(committed.GetValueOrDefault(o.Revision)?.Contains(e) ?? false))).Take(10))
        {
            var there = committed.GetValueOrDefault(op.Revision) is { } events ? string.Join(", ", events) : "nothing";
            violations.Add(new("acknowledged-write", op.Revision == 0
                ? $"{op} was acknowledged (without a revision), but the committed history never has that value"
                : $"{op} was acknowledged at revision {op.Revision}, but the committed history has {there} there", [op]));
        }
    }

    /// <summary>
    /// The events an answered op says it committed at the revision of its answer: a put for a write and a successful
    /// Cas, the puts of a successful Txn, a delete for a delete that found the key (etcd's DeleteRange names the delete's revision; a Kubernetes
    /// DELETE answers the object as it was, so its op carries no revision and is not checked here).
    /// </summary>
    private static IEnumerable<WatchEvent> Acknowledged(Operation op) => op switch
    {
        { Outcome: not Outcome.Ok } => [],
        { Type: OpType.Write } or { Type: OpType.Cas or OpType.Txn, Succeeded: true } => op.Writes().Select(w => new WatchEvent(op.Revision, w.Key, false, w.Value)),
        { Type: OpType.Delete or OpType.CompareAndDelete, Succeeded: true, Revision: > 0 } => [new WatchEvent(op.Revision, op.Key, true, null)],
        _ => [],
    };

    /// <summary>Whether the missing revision falls between two sessions of the watcher (the gap is at a resumption).</summary>
    private static bool IsResumption(WatchLog watcher, long revision)
    {
        var before = watcher.Events.LastOrDefault(e => e.Event.Revision < revision);
        var after = watcher.Events.FirstOrDefault(e => e.Event.Revision > revision);
        return before is not null && after is not null && before.Session != after.Session;
    }

    private static string Around(WatchLog watcher, long revision)
    {
        var before = watcher.Events.LastOrDefault(e => e.Event.Revision < revision);
        var after = watcher.Events.FirstOrDefault(e => e.Event.Revision > revision);
        return $" (before it: {before?.Event.ToString() ?? "nothing"} from {before?.Member ?? "-"}; after it: {after?.Event.ToString() ?? "nothing"} from {after?.Member ?? "-"})";
    }
}
