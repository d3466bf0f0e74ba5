using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Validate;
using StateStore.Jepsen.Tests.Model;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// Validation of the validators on recorded data, without a cluster: a correct history passes, and the same
/// history with one read made stale, or one watch event dropped, fails with the right check. The end-to-end
/// version (a client-side broken store in a real run, and the exit code) is in <see cref="ShortModeTests"/>.
/// </summary>
public sealed class ValidatorValidationTests
{
    private static Recorded Correct()
    {
        var h = new Histories();
        var committed = new List<WatchEvent>();
        for (var i = 0; i < 20; i++)
        {
            h.Write(i % 2, "k", $"v{i}", 10 * i, 10 * i + 3).Read(2, "k", $"v{i}", 10 * i + 4, 10 * i + 6);
            committed.Add(new WatchEvent(i + 1, "k", false, $"v{i}"));
        }
        var ops = h.Ops.Select(o => o.Type == OpType.Write ? o with { Revision = int.Parse(o.Value![1..]) + 1 } : o).ToList();
        var watch = new WatchLog("w", 1, [.. committed.Select((e, i) => new ObservedEvent(e, "m0", 0, i, i))]);
        return new Recorded(ops, [watch], committed, 0, 20,
            new Dictionary<string, IReadOnlyDictionary<string, string?>> { ["m0"] = new Dictionary<string, string?> { ["k"] = "v19" } }, [], "converged");
    }

    [Fact]
    public void The_correct_history_passes()
    {
        Assert.True(Checks.Validate(Correct()).Passed);
    }

    [Fact]
    public void A_stale_read_put_into_the_history_is_caught()
    {
        var run = Correct();
        var stale = run.History.Select(o => o.Type == OpType.Read && o.Value == "v12" ? o with { Value = "v10" } : o).ToList();
        var verdict = Checks.Validate(run with { History = stale });
        var violation = Assert.Single(verdict.Violations);
        Assert.Equal("linearizable", violation.Check);
        Assert.Contains(violation.SubHistory!, o => o is { Type: OpType.Read, Value: "v10" });
    }

    [Fact]
    public void A_watch_event_dropped_from_the_stream_is_caught()
    {
        var run = Correct();
        var watch = run.Watches[0] with { Events = [.. run.Watches[0].Events.Where(e => e.Event.Revision != 7)] };
        var verdict = Checks.Validate(run with { Watches = [watch] });
        Assert.Equal("reliable", Assert.Single(verdict.Violations).Check);
    }
}
