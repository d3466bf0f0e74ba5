using StateStore.Jepsen.Core.Nemesis;
using StateStore.Jepsen.Core.Run;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// The harness's short mode, run by ./test.sh: a real 3-member cluster under the register workload and two
/// watchers, with each nemesis in turn, then every checker. Its power loss brings the old leader back last, so it
/// is also the passing counterpart of the ack-before-durable run in <see cref="ServerBugTests"/>. A run folder
/// is kept (its path printed) when a run fails. (The client-side broken store is left to the executable's
/// --inject: the server-side bugs of <see cref="ServerBugTests"/> are the real thing.)
/// </summary>
public sealed class ShortModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_nemesis_in_turn_leaves_a_linearizable_history_and_reliable_watches()
    {
        var options = Options("short") with
        {
            Nemeses = [new KillNemesis(leader: false), new KillNemesis(leader: true), new PauseNemesis(leader: false), new PowerLossNemesis(leaderLast: true)],
            Hold = TimeSpan.FromSeconds(8),
        };
        var result = await RunAsync(options, expectPass: true);

        Assert.True(result.ExitCode == 0, Core.Report.RunReport.Describe(result.Verdict));
        Assert.Empty(result.Verdict.Linearizability.GaveUp);
        Assert.Equal(["kill", "kill-leader", "pause", "power-loss-leader-last"], result.Verdict.Windows.Select(w => w.Nemesis));
        Assert.Contains(result.Verdict.History, o => o.Outcome == Core.Model.Outcome.Ok && o.Type == Core.Model.OpType.Cas);
        Assert.True(result.Verdict.Watches.All(w => w.Events.Count > 0), "a watcher received nothing");
    }

    private static RunOptions Options(string name) => HarnessRuns.Options(name);

    private Task<RunResult> RunAsync(RunOptions options, bool expectPass) => HarnessRuns.RunAsync(options, expectPass, output);
}
