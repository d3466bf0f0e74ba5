using StateStore.Jepsen.Core.Nemesis;
using StateStore.Jepsen.Core.Run;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// How the run tests start a harness run: a fresh folder under the temp directory, a fixed seed, a 7-minute limit,
/// the verdict printed; the folder kept (its path printed) when the run did not come out as the test expected.
/// </summary>
internal static class HarnessRuns
{
    private static readonly string RunsRoot = Path.Combine(Path.GetTempPath(), "statestore-jepsen-runs");

    public static RunOptions Options(string name) => new()
    {
        Folder = Path.Combine(RunsRoot, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}"),
        Seed = 6,
    };

    /// <summary>A workload's short run under faults: the leader killed, then a follower paused, each held 4 s.</summary>
    public static RunOptions KillLeaderThenPause(string name, Workload workload) => Options(name) with
    {
        Workload = workload,
        Nemeses = [new KillNemesis(leader: true), new PauseNemesis(leader: false)],
        Hold = TimeSpan.FromSeconds(4),
    };

    /// <summary>Runs <paramref name="options"/> and asserts it passed every check, no key left undecided.</summary>
    public static async Task<RunResult> RunToPassAsync(RunOptions options, ITestOutputHelper output)
    {
        var result = await RunAsync(options, expectPass: true, output);
        Assert.True(result.ExitCode == 0, Core.Report.RunReport.Describe(result.Verdict));
        Assert.Empty(result.Verdict.Linearizability.GaveUp);
        return result;
    }

    public static async Task<RunResult> RunAsync(RunOptions options, bool expectPass, ITestOutputHelper output)
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

    /// <summary>Asserts that a run passed every checker with no key left undecided, and ran <paramref name="nemeses"/> in that order.</summary>
    public static void AssertPassed(RunResult result, IEnumerable<string> nemeses)
    {
        Assert.True(result.ExitCode == 0, Core.Report.RunReport.Describe(result.Verdict));
        Assert.Empty(result.Verdict.Linearizability.GaveUp);
        Assert.Equal(nemeses, result.Verdict.Windows.Select(w => w.Nemesis));
    }

    /// <summary>The names of the checks a run's violations failed.</summary>
    public static HashSet<string> FailedChecks(RunResult result) => result.Verdict.Violations.Select(v => v.Check).ToHashSet();
}
