using StateStore.Jepsen.Core.Nemesis;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// Crashes at lines of the server (<see cref="CrashFailpointNemesis"/>, the server's crash failpoints): each of the six
/// points in turn under the register workload, the members snapshotting every 200 entries so the snapshot points are
/// reached; each must really have crashed its member, and the run must pass every checker.
/// </summary>
public sealed class CrashFailpointTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_member_crashing_at_each_failpoint_loses_no_acknowledged_write_and_the_history_stays_linearizable()
    {
        var options = HarnessRuns.Options("crash-failpoints") with
        {
            Nemeses = [.. CrashFailpointNemesis.Names.Select(name => new CrashFailpointNemesis(name))],
            Hold = TimeSpan.FromSeconds(1),
            Quiet = TimeSpan.FromSeconds(1),
            Settle = TimeSpan.FromSeconds(2),
        };
        var result = await HarnessRuns.RunAsync(options, expectPass: true, output);

        HarnessRuns.AssertPassed(result, CrashFailpointNemesis.Names);
        Assert.All(result.Verdict.Windows, w => Assert.Contains(": crashed at ", w.Target));
        Assert.Contains("on all 3 members", result.Verdict.Converged);
    }
}
