using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Nemesis;
using StateStore.Jepsen.Core.Report;
using StateStore.Jepsen.Core.Validate;
using StateStore.Jepsen.Tests.Model;
using StateStore.Testing;

namespace StateStore.Jepsen.Tests.Report;

public sealed class RunReportTests
{
    [Fact]
    public async Task A_failing_run_folder_holds_the_history_the_verdict_with_the_witness_and_a_shaded_plot()
    {
        using var folder = new TempDirectory("jepsen-report");
        var ops = new Histories().Write(0, "x", "a", 0, 1).Write(1, "x", "b", 2, 3).Read(2, "x", "a", 4, 5).Write(3, "x", "c", 6, null).Ops;
        var window = new NemesisWindow("kill-leader", "m1", 1_500_000, 3_500_000);
        var verdict = Checks.Validate(new Recorded(ops, [], [], 0, 0, new Dictionary<string, IReadOnlyDictionary<string, string?>>(), [window], "converged"));

        await RunReport.WriteAsync(folder.Path, verdict, [], "test run", CancellationToken.None);

        Assert.False(verdict.Passed);
        Assert.Equal(ops, await RunReport.ReadHistoryAsync(Path.Combine(folder.Path, "history.jsonl"), CancellationToken.None));
        var text = await File.ReadAllTextAsync(Path.Combine(folder.Path, "verdict.txt"));
        Assert.StartsWith("FAIL: 4 ops (3 ok, 0 fail, 1 unknown) on 1 keys", text);
        Assert.Contains("[linearizable] key x", text);
        Assert.Contains("read x -> a", text);
        var svg = await File.ReadAllTextAsync(Path.Combine(folder.Path, "latency.svg"));
        Assert.Contains("<svg", svg);
        Assert.Contains("kill-leader m1", svg);
        Assert.Equal(verdict.Summary() + "\n", await File.ReadAllTextAsync(Path.Combine(folder.Path, "summary.txt")));
    }
}
