using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// A three-member cluster of real processes under continuous writes through every member, while one member
/// is killed, paused, stopped or left behind. Afterwards every member holds every acknowledged write, and all
/// reach the same revision with the same HashKV hash.
/// </summary>
public sealed class ProcessFailureTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(120))
{
    /// <summary>Puts acknowledged before the fault, and again after each step of it, so each step is under load.</summary>
    private const int Load = 200;

    [Fact]
    public Task Leader_killed_with_SIGKILL_under_writes_loses_no_acknowledged_write_and_writes_resume() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var killedAt = TimeSpan.Zero;
        var report = await UnderLoadAsync(cluster, async writer =>
        {
            var leader = await cluster.LeaderAsync(Timeout);
            await leader.KillAsync();
            killedAt = writer.Elapsed;
            Output.WriteLine($"killed leader {leader.Name} (SIGKILL) at {killedAt.TotalSeconds:F1} s, {writer.Count} puts acknowledged");
            await writer.WaitForCountAsync(writer.Count + Load, Timeout);
            Output.WriteLine($"new leader {(await cluster.LeaderAsync(Timeout)).Name}");
            await leader.RestartAsync(Timeout);
            await writer.WaitForCountAsync(writer.Count + Load, Timeout);
        });

        var after = report.SentAndAcknowledgedAfter(killedAt);
        Assert.True(after.Count > 0, "no put sent after the leader was killed was acknowledged");
        var (gap, endedAt) = report.LongestGap();
        Output.WriteLine($"{after.Count} puts sent after the kill were acknowledged, the first {(after.Min(w => w.At) - killedAt).TotalMilliseconds:F0} ms after it; "
            + $"longest gap between acknowledgements {gap.TotalMilliseconds:F0} ms (ended at {endedAt.TotalSeconds:F1} s)");
    });

    [Fact]
    public Task Follower_paused_with_SIGSTOP_under_writes_catches_up_after_SIGCONT() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        await UnderLoadAsync(cluster, async writer =>
        {
            var follower = await cluster.FollowerAsync(Timeout);
            follower.Pause();
            var before = writer.Count;
            Output.WriteLine($"paused follower {follower.Name} (SIGSTOP) at {writer.Elapsed.TotalSeconds:F1} s");
            await Task.Delay(TimeSpan.FromSeconds(3), Timeout);
            var duringPause = writer.Count - before;
            follower.Resume();
            Output.WriteLine($"resumed {follower.Name} (SIGCONT); {duringPause} puts acknowledged while it was paused");
            Assert.True(duringPause > 0, "the two running members acknowledged nothing while the third was paused");
            await writer.WaitForCountAsync(writer.Count + Load, Timeout);
        });
    });

    [Fact]
    public Task Leader_stopped_with_SIGTERM_and_restarted_from_its_data_folder_under_writes() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        ServerProcess? restarted = null;
        await UnderLoadAsync(cluster, async writer =>
        {
            restarted = await cluster.LeaderAsync(Timeout);
            var exitCode = await restarted.StopAsync(Timeout);
            Output.WriteLine($"stopped leader {restarted.Name} (SIGTERM) at {writer.Elapsed.TotalSeconds:F1} s: exit code {exitCode}");
            Assert.Equal(0, exitCode);
            await writer.WaitForCountAsync(writer.Count + Load, Timeout);
            await restarted.RestartAsync(Timeout);
            await writer.WaitForCountAsync(writer.Count + Load, Timeout);
        });

        Assert.Empty(restarted!.CurrentRunErrors());
    });

    /// <summary>
    /// With the default timing (--election-timeout 1000). Installing the snapshot takes a second or more on a
    /// busy 2-core machine; when DotNext's request timeout was the election timeout, such an install was cut
    /// off and the follower never heard from a leader again (found by this test; the member now allows 30 s).
    /// </summary>
    [Fact]
    public Task Follower_far_behind_catches_up_through_a_snapshot() => RunAsync(() => SnapshotCatchUpAsync(electionTimeoutMs: 1000));

    /// <summary>
    /// Kills a follower, writes 3,000 entries (six snapshots at --snapshot-count 500, the log kept only 100
    /// entries past each), restarts it, and requires it to catch up by installing a snapshot.
    /// </summary>
    private async Task SnapshotCatchUpAsync(int electionTimeoutMs)
    {
        var cluster = await StartClusterAsync(new ClusterOptions
        {
            ElectionTimeoutMs = electionTimeoutMs,
            ExtraFlags = ["--snapshot-count", "500", "--snapshot-catchup-entries", "100"],
        });
        var follower = await cluster.FollowerAsync(Timeout);
        await follower.KillAsync();
        Output.WriteLine($"killed follower {follower.Name} (SIGKILL)");

        var writer = StartWriter([.. cluster.Members.Where(m => m != follower)], new WriterOptions { Tasks = 8 });
        await writer.WaitForCountAsync(3000, Timeout, TimeSpan.FromSeconds(75));
        var report = await writer.StopAsync();
        Output.WriteLine(report.ToString());
        Assert.Empty(report.Failures);

        await follower.RestartAsync(Timeout);
        await AcknowledgedWrites.AssertConvergedAndDurableAsync(cluster, report, Output, Timeout);
        var log = follower.CurrentRunLog();
        Output.WriteLine(string.Join('\n', log.Split('\n').Where(line => line.Contains("snapshot", StringComparison.OrdinalIgnoreCase))));
        Assert.Contains("Installing snapshot", log);
        Assert.Empty(follower.CurrentRunErrors());
    }

    /// <summary>
    /// Writes through every member, runs <paramref name="fault"/> once <see cref="Load"/> puts are acknowledged,
    /// stops writing, and asserts the cluster converged with every acknowledged write on every member.
    /// </summary>
    private async Task<WriteReport> UnderLoadAsync(ProcessCluster cluster, Func<Writer, Task> fault)
    {
        var writer = StartWriter(cluster.Members);
        await writer.WaitForCountAsync(Load, Timeout);
        await fault(writer);
        var report = await writer.StopAsync();
        Output.WriteLine(report.ToString());
        Assert.Empty(report.Failures);
        await AcknowledgedWrites.AssertConvergedAndDurableAsync(cluster, report, Output, Timeout);
        return report;
    }
}
