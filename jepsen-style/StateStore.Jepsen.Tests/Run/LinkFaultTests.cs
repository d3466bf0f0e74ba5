using StateStore.Jepsen.Core.Nemesis;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// Slow and lossy Raft links (<see cref="LinkNemesis"/>): the members behind a TCP proxy each, every link into each
/// member delayed by 20-200 ms, then every Raft connection reset one chunk in 20; the run must pass every checker, and
/// the lossy window must really have reset connections.
/// </summary>
public sealed class LinkFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Slow_and_lossy_links_leave_a_linearizable_history_and_reliable_watches()
    {
        var options = HarnessRuns.Options("links") with
        {
            Nemeses = [new LinkNemesis(LinkFault.Slow), new LinkNemesis(LinkFault.Lossy)],
            Hold = TimeSpan.FromSeconds(4),
            Quiet = TimeSpan.FromSeconds(1),
            Settle = TimeSpan.FromSeconds(2),
        };
        var result = await HarnessRuns.RunAsync(options, expectPass: true, output);

        HarnessRuns.AssertPassed(result, ["slow-links", "lossy-links"]);
        Assert.DoesNotContain(" 0 resets", result.Verdict.Windows[1].Target);
    }
}
