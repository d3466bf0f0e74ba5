using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Nemesis;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>
/// What a run recorded, for the checkers: the history, each watcher's events, the committed history read at the
/// end, the store's revision before the workload and at the end, and what each member held at the end.
/// </summary>
public sealed record Recorded(
    IReadOnlyList<Operation> History,
    IReadOnlyList<WatchLog> Watches,
    IReadOnlyList<WatchEvent> Committed,
    long InitialRevision,
    long FinalRevision,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> FinalStates,
    IReadOnlyList<NemesisWindow> Windows,
    string Converged);

/// <summary>Runs every checker over a recorded run (etcd robustness's validate step) and gathers one verdict.</summary>
public static class Checks
{
    /// <summary>The verdict on <paramref name="run"/>, including <paramref name="earlier"/> violations the run itself saw (a member that would not come back, members that did not converge).</summary>
    public static Verdict Validate(Recorded run, IEnumerable<Violation>? earlier = null)
    {
        var violations = new List<Violation>(earlier ?? []);
        var linearizability = LinearizabilityChecker.Check(CommittedPatch.Apply(run.History, run.Committed));
        violations.AddRange(linearizability.Violations.Select(k =>
            new Violation("linearizable", $"key {k.Key}: no order of its {k.Ops} ops explains {k.Stuck}; the failing sub-history:", k.FailingSubHistory)));
        violations.AddRange(linearizability.GaveUp.Select(k =>
            new Violation("linearizable-undecided", $"key {k.Key}: the search ran out of steps on its {k.Ops} ops; the history is not shown linearizable")));
        violations.AddRange(WatchChecker.Check(run.Watches, run.Committed, run.InitialRevision, run.FinalRevision, run.History));
        violations.AddRange(LeaseChecker.Check(run.History, run.Committed));
        violations.AddRange(FinalState(run));
        return new Verdict(violations, linearizability, run.History, run.Watches, run.Windows, run.FinalRevision, run.Converged);
    }

    /// <summary>Every member holds, for every key, the value of the key's last committed event.</summary>
    private static IEnumerable<Violation> FinalState(Recorded run)
    {
        var expected = new Dictionary<string, string?>();
        foreach (var e in run.Committed)
        {
            expected[e.Key] = e.Delete ? null : e.Value;
        }
        foreach (var (member, state) in run.FinalStates)
        {
            var keys = expected.Keys.Union(state.Keys).Order(StringComparer.Ordinal);
            foreach (var key in keys.Where(k => expected.GetValueOrDefault(k) != state.GetValueOrDefault(k)).Take(5))
            {
                yield return new Violation("final-state", $"{member} holds {key}={state.GetValueOrDefault(key) ?? "nil"} at the end; the committed history ends with {expected.GetValueOrDefault(key) ?? "nil"}");
            }
        }
    }
}
