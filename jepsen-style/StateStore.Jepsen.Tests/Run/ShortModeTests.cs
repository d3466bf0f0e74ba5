using StateStore.Jepsen.Core.Nemesis;
using StateStore.Jepsen.Core.Run;
using StateStore.Jepsen.Core.Traffic;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// The harness's short mode, run by ./test.sh: a real 3-member cluster under the register workload and two
/// watchers, with each nemesis in turn, then every checker; and the same harness over a client-side broken
/// store, which it must catch. A run folder is kept (its path printed) when a run fails or is not as expected.
/// </summary>
public sealed class ShortModeTests(ITestOutputHelper output)
{
    private static readonly string RunsRoot = Path.Combine(Path.GetTempPath(), "statestore-jepsen-runs");

    [Fact]
    public async Task Every_nemesis_in_turn_leaves_a_linearizable_history_and_reliable_watches()
    {
        var options = Options("short") with
        {
            Nemeses = [new KillNemesis(leader: false), new KillNemesis(leader: true), new PauseNemesis(leader: false), new PowerLossNemesis()],
            Hold = TimeSpan.FromSeconds(8),
        };
        var result = await RunAsync(options, expectPass: true);

        Assert.True(result.ExitCode == 0, Core.Report.RunReport.Describe(result.Verdict));
        Assert.Empty(result.Verdict.Linearizability.GaveUp);
        Assert.Equal(["kill", "kill-leader", "pause", "power-loss"], result.Verdict.Windows.Select(w => w.Nemesis));
        Assert.Contains(result.Verdict.History, o => o.Outcome == Core.Model.Outcome.Ok && o.Type == Core.Model.OpType.Cas);
        Assert.True(result.Verdict.Watches.All(w => w.Events.Count > 0), "a watcher received nothing");
    }

    [Fact]
    public async Task A_store_that_serves_a_stale_read_and_drops_a_watch_event_is_caught_and_the_run_fails()
    {
        var options = Options("broken") with { Nemeses = [], Settle = TimeSpan.FromSeconds(6), Bugs = InjectedBug.StaleRead | InjectedBug.DropWatchEvent };
        var result = await RunAsync(options, expectPass: false);

        Assert.NotEqual(0, result.ExitCode);
        var checks = result.Verdict.Violations.Select(v => v.Check).ToHashSet();
        Assert.Contains("linearizable", checks);
        Assert.True(checks.Contains("reliable") || checks.Contains("resumable"), string.Join("\n", result.Verdict.Violations));
        var witness = result.Verdict.Violations.First(v => v.Check == "linearizable").SubHistory!;
        Assert.InRange(witness.Count, 2, 10);
    }

    private static RunOptions Options(string name) => new()
    {
        Folder = Path.Combine(RunsRoot, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}"),
        Seed = 6,
    };

    private async Task<RunResult> RunAsync(RunOptions options, bool expectPass)
    {
        await ServerBinary.PathAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(7));
        var result = await JepsenRun.RunAsync(options, line => output.WriteLine($"{DateTime.Now:HH:mm:ss.f} {line}"), timeout.Token);
        output.WriteLine(await File.ReadAllTextAsync(Path.Combine(result.Folder, "verdict.txt")));
        foreach (var file in (string[])["history.jsonl", "watches.jsonl", "committed.jsonl", "nemesis.jsonl", "latency.svg", "summary.txt"])
        {
            Assert.True(File.Exists(Path.Combine(result.Folder, file)), $"the run folder {result.Folder} has no {file}");
        }
        if (result.Verdict.Passed == expectPass)
        {
            Directory.Delete(result.Folder, recursive: true);
        }
        else
        {
            output.WriteLine($"run folder kept: {result.Folder}");
        }
        return result;
    }
}
