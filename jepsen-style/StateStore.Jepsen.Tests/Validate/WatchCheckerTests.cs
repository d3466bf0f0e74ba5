using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Validate;

namespace StateStore.Jepsen.Tests.Validate;

public sealed class WatchCheckerTests
{
    private static readonly IReadOnlyList<WatchEvent> Committed =
        [.. Enumerable.Range(1, 6).Select(r => new WatchEvent(r, $"k{r % 2}", false, $"v{r}"))];

    /// <summary>A watcher's log: each item a (revision, session) received in its own response.</summary>
    private static WatchLog Log(params (long Revision, int Session)[] received) =>
        new("w", 1, [.. received.Select((r, i) => new ObservedEvent(Committed[(int)r.Revision - 1], $"m{r.Session}", r.Session, i, i))]);

    private static List<string> Found(WatchLog log, IReadOnlyList<Operation>? history = null, IReadOnlyList<WatchEvent>? committed = null) =>
        [.. WatchChecker.Check([log], committed ?? Committed, 0, 6, history ?? []).Select(v => v.Check)];

    [Fact]
    public void Every_event_once_in_order_across_a_resumption_passes()
    {
        Assert.Empty(Found(Log((1, 0), (2, 0), (3, 0), (4, 1), (5, 1), (6, 1))));
    }

    [Fact]
    public void An_event_out_of_order_is_caught()
    {
        Assert.Contains("ordered", Found(Log((1, 0), (3, 0), (2, 0), (4, 0), (5, 0), (6, 0))));
    }

    [Fact]
    public void An_event_twice_is_caught()
    {
        Assert.Equal(["unique"], Found(Log((1, 0), (2, 0), (3, 0), (4, 1), (4, 1), (5, 1), (6, 1))).Distinct());
    }

    [Fact]
    public void A_missing_event_is_caught_and_named_resumable_when_it_falls_at_a_resumption()
    {
        Assert.Equal(["reliable"], Found(Log((1, 0), (2, 0), (4, 0), (5, 0), (6, 0))));
        Assert.Equal(["resumable"], Found(Log((1, 0), (2, 0), (3, 0), (5, 1), (6, 1))));
        Assert.Equal(["reliable"], Found(Log((1, 0), (2, 0), (3, 0), (4, 0), (5, 0))));
    }

    [Fact]
    public void An_event_unlike_the_committed_one_is_caught()
    {
        var log = Log((1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0));
        var altered = log with { Events = [.. log.Events.Select(e => e.Event.Revision == 3 ? e with { Event = e.Event with { Value = "other" } } : e)] };
        Assert.Equal(["reliable"], Found(altered));
    }

    [Fact]
    public void A_revision_split_across_responses_is_caught()
    {
        WatchEvent x = new(1, "x", false, "1"), y = new(1, "y", false, "1");
        var committed = new[] { x, y };
        var together = new WatchLog("w", 1, [new(x, "m0", 0, 0, 0), new(y, "m0", 0, 0, 0)]);
        var split = new WatchLog("w", 1, [new(x, "m0", 0, 0, 0), new(y, "m0", 0, 1, 0)]);
        Assert.Empty(WatchChecker.Check([together], committed, 0, 1, []));
        Assert.Equal("atomic", Assert.Single(WatchChecker.Check([split], committed, 0, 1, [])).Check);
    }

    [Fact]
    public void An_acknowledged_write_missing_from_the_committed_history_is_caught()
    {
        var write = new Operation { Id = 0, Process = 0, Type = OpType.Write, Key = "k1", Value = "v3", InvokeNs = 0, CompleteNs = 1, Outcome = Outcome.Ok, Revision = 3 };
        var full = Log((1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0));
        Assert.Empty(Found(full, [write]));
        Assert.Equal(["acknowledged-write"], Found(full, [write with { Value = "lost" }]));
    }

    [Fact]
    public void A_committed_history_with_a_gap_is_caught()
    {
        var gap = Committed.Where(e => e.Revision != 4).ToList();
        Assert.Contains("committed-history", Found(Log((1, 0), (2, 0), (3, 0), (5, 0), (6, 0)), committed: gap));
    }

    [Fact]
    public void A_member_holding_another_final_value_is_caught()
    {
        var full = Log((1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0));
        Recorded Run(string k0) => new([], [full], Committed, 0, 6,
            new Dictionary<string, IReadOnlyDictionary<string, string?>> { ["m0"] = new Dictionary<string, string?> { ["k0"] = k0, ["k1"] = "v5" } }, [], "converged");
        Assert.True(Checks.Validate(Run("v6")).Passed);
        Assert.Equal("final-state", Assert.Single(Checks.Validate(Run("v4")).Violations).Check);
    }
}
