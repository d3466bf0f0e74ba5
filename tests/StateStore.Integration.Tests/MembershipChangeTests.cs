using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// A three-member cluster of real processes under continuous writes grows to four (etcd's MemberAdd, then a
/// fourth process started with --initial-cluster-state existing) and shrinks back to three (MemberRemove of
/// an original member, then its process stopped). Writes go on throughout; afterwards the remaining members
/// hold every acknowledged write and reach the same revision with the same HashKV hash.
/// </summary>
public sealed class MembershipChangeTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(120))
{
    /// <summary>Puts acknowledged before the first change, and again after each step, so each step is under load.</summary>
    private const int Load = 200;

    private const string RemovedMessage = "etcdserver: the member has been permanently removed from the cluster";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public Task Member_added_and_an_original_member_removed_under_writes_loses_no_acknowledged_write(bool removeLeader) => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.LeaderAsync(Timeout);
        var followers = cluster.Members.Where(m => m != leader).ToList();
        var removed = removeLeader ? leader : followers[1];
        // Clients do not know which member will go: the founders' writer writes through all three.
        var founders = StartWriter(cluster.Members);
        await founders.WaitForCountAsync(Load, Timeout);

        // Added through a follower, so the change is forwarded to the leader.
        var (joiner, added) = await cluster.AddMemberAsync("m3", followers[0], Timeout);
        Assert.Equal(4, added.Members.Count);
        Assert.Equal(joiner.Config.PeerUrl, Assert.Single(added.Member.PeerURLs));
        var revisionAtAdd = (await ProcessCluster.StatusAsync(leader, Timeout)).Revision;
        await joiner.WaitReadyAsync(Timeout);
        var joined = await ProcessCluster.StatusAsync(joiner, Timeout);
        Output.WriteLine($"added {joiner.Name} at revision {revisionAtAdd}; ready at {founders.Elapsed.TotalSeconds:F1} s: {joined}");
        Assert.Equal(added.Member.ID, joined.MemberId);
        Assert.True(joined.Revision >= revisionAtAdd, $"{joiner.Name} is ready at revision {joined.Revision}, behind the leader's {revisionAtAdd} when it was added");
        var listed = await ProcessCluster.MemberListAsync(joiner, Timeout);
        Assert.Equal(["m0", "m1", "m2", "m3"], listed.Select(m => m.Name).Order());

        var newcomer = StartWriter([joiner], new WriterOptions { Tasks = 2, Prefix = "j/" });
        await newcomer.WaitForCountAsync(Load / 4, Timeout);
        await founders.WaitForCountAsync(founders.Count + Load, Timeout);

        var removedId = (await ProcessCluster.StatusAsync(removed, Timeout)).MemberId;
        var remaining = await cluster.RemoveMemberAsync(removed, joiner, Timeout);
        var removedAt = founders.Elapsed;
        Output.WriteLine($"removed {(removeLeader ? "leader" : "follower")} {removed.Name} ({removedId:x16}) at {removedAt.TotalSeconds:F1} s, {founders.Count} puts acknowledged");
        Assert.Equal(cluster.Members.Select(m => m.Name).Order(), remaining.Members.Select(m => m.Name).Order());
        var again = await Assert.ThrowsAsync<RpcException>(() => ProcessCluster.RemoveMemberByIdAsync(removedId, joiner, Timeout));
        Assert.Equal(StatusCode.NotFound, again.StatusCode);

        await AssertRemovedMemberTurnsWritesAwayAsync(removed);
        var exitCode = await removed.StopAsync(Timeout);
        Output.WriteLine($"stopped {removed.Name} (SIGTERM): exit code {exitCode}");
        Assert.Equal(0, exitCode);

        await founders.WaitForCountAsync(founders.Count + Load, Timeout);
        await newcomer.WaitForCountAsync(newcomer.Count + Load / 4, Timeout);
        Output.WriteLine($"leader now {(await cluster.LeaderAsync(Timeout)).Name}");
        var foundersReport = await founders.StopAsync();
        var newcomerReport = await newcomer.StopAsync();
        Output.WriteLine($"founders' writer: {foundersReport}\nnewcomer's writer: {newcomerReport}");
        Assert.Empty(foundersReport.Failures);
        Assert.Empty(newcomerReport.Failures);
        Assert.NotEmpty(foundersReport.SentAndAcknowledgedAfter(removedAt));

        await AcknowledgedWrites.AssertConvergedAndDurableAsync(cluster, foundersReport, Output, Timeout);
        await AcknowledgedWrites.AssertConvergedAndDurableAsync(cluster, newcomerReport, Output, Timeout, prefix: "j/");
        foreach (var member in cluster.Members)
        {
            var names = (await ProcessCluster.MemberListAsync(member, Timeout)).Select(m => m.Name).Order();
            Assert.Equal(cluster.Members.Select(m => m.Name).Order(), names);
        }
    });

    /// <summary>
    /// A removed member that still runs must turn a put away at once with etcd's words (Unavailable, so the
    /// client fails over), not hold it until the request timeout for a leader that will never come. Until
    /// it has applied its removal it may still forward a put to the leader, so a few puts may succeed first.
    /// </summary>
    private async Task AssertRemovedMemberTurnsWritesAwayAsync(ServerProcess removed)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answers = new List<string>();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            var sent = clock.Elapsed;
            try
            {
                var response = await removed.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("probe/removed"), Value = ByteString.CopyFromUtf8("x") },
                    deadline: DateTime.UtcNow + TimeSpan.FromSeconds(10), cancellationToken: Timeout);
                answers.Add($"acknowledged at revision {response.Header.Revision}");
            }
            catch (RpcException e)
            {
                answers.Add($"{e.StatusCode} {e.Status.Detail} after {(clock.Elapsed - sent).TotalMilliseconds:F0} ms");
                if (e.StatusCode == StatusCode.Unavailable && e.Status.Detail == RemovedMessage)
                {
                    Output.WriteLine($"puts on removed {removed.Name}: {string.Join("; ", answers)}");
                    return;
                }
            }
            await Task.Delay(200, Timeout);
        }
        Assert.Fail($"removed {removed.Name} never answered '{RemovedMessage}': {string.Join("; ", answers)}");
    }
}
