using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Nemesis;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>What a run did and what the checkers found; <see cref="Passed"/> only when nothing was violated.</summary>
public sealed record Verdict(
    IReadOnlyList<Violation> Violations,
    LinearizabilityResult Linearizability,
    IReadOnlyList<Operation> History,
    IReadOnlyList<WatchLog> Watches,
    IReadOnlyList<NemesisWindow> Windows,
    long FinalRevision,
    string Converged)
{
    public bool Passed => Violations.Count == 0;

    /// <summary>The one line a run ends with.</summary>
    public string Summary()
    {
        int ok = History.Count(o => o.Outcome == Outcome.Ok), fail = History.Count(o => o.Outcome == Outcome.Fail), unknown = History.Count(o => o.Outcome == Outcome.Unknown);
        var nemeses = Windows.Count == 0 ? "no faults" : $"{Windows.Count} faults ({string.Join(", ", Windows.GroupBy(w => w.Nemesis).Select(g => $"{g.Key} x{g.Count()}"))})";
        var checks = Violations.Count == 0 ? "0 violations" : $"{Violations.Count} violations ({string.Join(", ", Violations.GroupBy(v => v.Check).Select(g => $"{g.Key} x{g.Count()}"))})";
        return $"{(Passed ? "PASS" : "FAIL")}: {History.Count} ops ({ok} ok, {fail} fail, {unknown} unknown) on {Linearizability.Keys.Count} keys; "
            + $"{Watches.Count} watchers, {Watches.Sum(w => w.Events.Count)} events, {Watches.Sum(w => Math.Max(0, w.Sessions - 1))} resumptions; "
            + $"{nemeses}; final revision {FinalRevision}, {Converged}; {checks}";
    }
}
