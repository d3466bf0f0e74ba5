using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// Power loss of the whole cluster: every member is SIGKILLed at once while 64 puts are in flight through the
/// leader. With the failpoint private-wal-memory the WAL's unflushed pages live only in process memory, so
/// SIGKILL loses them as a power cut loses the page cache; slow-wal-flush widens the window between a write
/// and its fsync. An acknowledged write must survive all the same.
/// </summary>
public sealed class PowerLossTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(150))
{
    private const string PowerLoss = "private-wal-memory,slow-wal-flush";

    [Fact]
    public Task Every_acknowledged_write_survives_the_whole_cluster_losing_power() => RunAsync(async () =>
    {
        var (cluster, report) = await WriteThenCutPowerAsync(PowerLoss, "cluster");
        await AcknowledgedWrites.AssertConvergedAndDurableAsync(cluster, report, Output, Timeout);
    });

    /// <summary>
    /// Power comes back first to the old leader and ONE follower (each follower in turn): those two are a
    /// majority, elect a leader and take new writes before the third member starts. Whatever was acknowledged
    /// before the cut must be on one of them — so the leader may not count itself toward the majority before
    /// its own entry is on disk. (With DotNext 6.12 the old leader held every acknowledged write in all runs,
    /// even with skip-follower-flush: this guards the leader's side, which DotNext provides, against an upgrade.)
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public Task Every_acknowledged_write_survives_when_the_old_leader_and_one_follower_come_back_first(int follower) => RunAsync(async () =>
    {
        var (cluster, report) = await WriteThenCutPowerAsync(PowerLoss, "cluster", (cluster, leader) =>
        {
            var followers = cluster.Members.Where(m => m != leader).ToList();
            return ([leader, followers[follower]], followers[1 - follower]);
        });
        await AcknowledgedWrites.AssertConvergedAndDurableAsync(cluster, report, Output, Timeout);
    });

    /// <summary>
    /// A demonstration, not a guard: with skip-follower-flush, followers acknowledge AppendEntries before
    /// their fsync (DotNext's own behaviour, which the durable WAL fixes), so a leader can count a majority
    /// that a power cut then takes back. Asserts that some acknowledged write was lost in 3 rounds.
    /// </summary>
    [OptInFact("STATESTORE_RUN_NEGATIVE_POWERLOSS", "A demonstration of the bug the durable WAL fixes, not a guard")]
    public Task Demonstration_without_follower_fsync_acknowledged_writes_are_lost_to_power_loss() => RunAsync(async () =>
    {
        var lost = new List<int>();
        for (var round = 0; round < 3; round++)
        {
            var (cluster, report) = await WriteThenCutPowerAsync(PowerLoss + ",skip-follower-flush", $"round{round}");
            var converged = await cluster.WaitConvergedAsync(Timeout);
            var missing = await AcknowledgedWrites.MissingOnAsync(cluster.Members[0], report.Acknowledged, "w/", Timeout);
            lost.Add(missing.Count);
            Output.WriteLine($"round {round}: {missing.Count} of {report.Acknowledged.Count} acknowledged writes lost (converged at revision {converged.Revision})"
                + string.Concat(missing.Take(3).Select(m => "\n  " + m)));
            await cluster.DisposeAsync(); // before the next round, not at the end of the test
        }
        Assert.True(lost.Sum() > 0, $"no acknowledged write was lost in {lost.Count} rounds without follower fsync; the demonstration did not reproduce the bug this time");
    });

    /// <summary>
    /// Starts a cluster with <paramref name="failpoints"/>, writes with 64 puts in flight through the leader
    /// for two seconds, SIGKILLs every member at once, and starts them all again from their data folders:
    /// by default the followers first and the old leader last; with <paramref name="order"/>, the members it
    /// names first (a majority), which then take 50 more puts, and the last one after that.
    /// </summary>
    private async Task<(ProcessCluster Cluster, WriteReport Report)> WriteThenCutPowerAsync(string failpoints, string name,
        Func<ProcessCluster, ServerProcess, (IReadOnlyList<ServerProcess> First, ServerProcess Last)>? order = null)
    {
        var cluster = await StartClusterAsync(new ClusterOptions { Failpoints = failpoints }, name);
        var leader = await cluster.LeaderAsync(Timeout);
        var writer = StartWriter([leader], new WriterOptions { Tasks = 64 });
        await Task.Delay(TimeSpan.FromSeconds(2), Timeout);
        // KillAsync sends SIGKILL before its first await: the three die within microseconds of each other.
        await Task.WhenAll(cluster.Members.Select(m => m.KillAsync()));
        var report = await writer.StopAsync();
        Output.WriteLine($"cut power to all members (SIGKILL) with leader {leader.Name}: {report}");
        Assert.NotEmpty(report.Acknowledged);

        if (order is not null)
        {
            var (first, last) = order(cluster, leader);
            foreach (var member in first)
            {
                member.Launch();
            }
            await Task.WhenAll(first.Select(m => m.WaitReadyAsync(Timeout)));
            var after = StartWriter(first, new WriterOptions { Tasks = 8, Prefix = "after/" });
            await after.WaitForCountAsync(50, Timeout);
            var afterReport = await after.StopAsync();
            Output.WriteLine($"restarted {string.Join(", ", first.Select(m => m.Name))} first, then wrote: {afterReport}");
            await last.RestartAsync(Timeout);
            return (cluster, report);
        }

        // Power comes back to the followers first: they are a majority, elect one of themselves and go on
        // without the old leader, which rejoins last and must take their log. A committed entry is on at least
        // one of them if it is anywhere, so nothing acknowledged may be missing from what they elect.
        var followers = cluster.Members.Where(m => m != leader).ToList();
        foreach (var follower in followers)
        {
            follower.Launch();
        }
        await Task.WhenAll(followers.Select(f => f.WaitReadyAsync(Timeout)));
        await leader.RestartAsync(Timeout);
        return (cluster, report);
    }
}
