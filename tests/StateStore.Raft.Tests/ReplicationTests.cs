using StateStore.Kv;
using StateStore.Raft.StateMachine;
using StateStore.Raft.Tests.Cluster;
using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>Replication behaviour a single store has no counterpart for: failover, restart, catch-up, identity.</summary>
public sealed class ReplicationTests : IDisposable
{
    private readonly TempDirectory _dir = new("replication");
    private readonly CancellationToken _ct = TestTimeout.Token(TimeSpan.FromMinutes(2));

    public void Dispose() => _dir.Dispose();

    private static PutRequest Put(string key, string value) => new() { Key = Bytes.Of(key), Value = Bytes.Of(value) };

    private static RangeRequest All => new() { Key = [0], RangeEnd = Bytes.AllFrom };

    [Fact]
    public async Task Members_report_their_identity_the_leader_and_the_raft_position()
    {
        await using var cluster = await RaftTestCluster.StartAsync(3, _dir.Path, _ct);
        var leader = await cluster.WaitForLeaderAsync(_ct);
        (await leader.Store.PutAsync(Put("a", "1"), _ct)).Value.ToString();
        await cluster.WaitConvergedAsync(_ct);

        var ids = new HashSet<ulong>();
        foreach (var member in cluster.Members)
        {
            var status = await member.Store.StatusAsync(_ct);
            var identity = member.Store.Identity;
            Assert.Equal(member.Member!.MemberId, status.MemberId);
            Assert.Equal(leader.Member!.MemberId, status.LeaderId);
            Assert.True(status.RaftTerm >= 1, $"term {status.RaftTerm}");
            Assert.Equal(status.RaftTerm, identity.RaftTerm);
            Assert.True(status.RaftIndex >= status.RaftAppliedIndex && status.RaftAppliedIndex >= 2, $"index {status.RaftIndex}, applied {status.RaftAppliedIndex}");
            Assert.Equal(leader.Member.ClusterId, identity.ClusterId);
            Assert.NotEqual(0UL, identity.ClusterId);
            Assert.Empty(status.Errors);
            ids.Add(identity.MemberId);
        }
        Assert.Equal(3, ids.Count);
    }

    [Fact]
    public async Task When_the_leader_stops_writes_continue_and_nothing_acknowledged_is_lost()
    {
        await using var cluster = await RaftTestCluster.StartAsync(3, _dir.Path, _ct);
        var acknowledged = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            var follower = await cluster.FollowerAsync(_ct);
            Assert.True((await follower.Store.PutAsync(Put($"k{i:D3}", "before"), _ct)).IsOk);
            acknowledged.Add($"k{i:D3}");
        }
        var oldLeader = await cluster.WaitForLeaderAsync(_ct);
        await oldLeader.StopAsync();

        var survivor = cluster.Members.First(m => m.Running);
        for (var i = 50; i < 100; i++)
        {
            var result = await survivor.Store.PutAsync(Put($"k{i:D3}", "after"), _ct);
            Assert.True(result.IsOk, result.ToString());
            acknowledged.Add($"k{i:D3}");
        }
        var hash = await cluster.WaitConvergedAsync(_ct);

        await oldLeader.StartAsync(_ct);
        Assert.Equal(hash, await cluster.WaitConvergedAsync(_ct));
        foreach (var member in cluster.Members)
        {
            var keys = (await member.Store.RangeAsync(All, _ct)).Value.Kvs.Select(kv => Bytes.Show(kv.Key)).ToList();
            Assert.Equal(acknowledged, keys);
        }
    }

    [Fact]
    public async Task A_follower_far_behind_catches_up_through_a_snapshot_and_its_watch_resumes_without_a_gap()
    {
        var policy = new SnapshotPolicy(EveryEntries: 200, RetainedEntries: 50);
        await using var cluster = await RaftTestCluster.StartAsync(3, _dir.Path, _ct, policy);
        var lagging = await cluster.FollowerAsync(_ct);
        var leader = await cluster.WaitForLeaderAsync(_ct);
        Assert.True((await leader.Store.PutAsync(Put("w/0", "0"), _ct)).IsOk);
        await cluster.WaitConvergedAsync(_ct);
        await lagging.StopAsync();

        for (var i = 1; i <= 1_000; i++)
        {
            Assert.True((await leader.Store.PutAsync(Put($"w/{i % 50}", $"{i}"), _ct)).IsOk);
        }
        await lagging.StartAsync(_ct);
        var hash = await cluster.WaitConvergedAsync(_ct);
        Assert.Equal(hash, (await lagging.Store.HashKvAsync(0, _ct)).Value.Hash);
        Assert.Equal(1, lagging.Member!.SnapshotsInstalled); // the leader's log no longer reached back to it

        // A watch opened before another install keeps delivering every revision after it.
        var watch = (await lagging.Store.WatchAsync(new WatchRequest { Key = Bytes.Of("w/"), RangeEnd = Bytes.PrefixEnd(Bytes.Of("w/")) }, _ct)).Value;
        var start = (await lagging.Store.StatusAsync(_ct)).Revision + 1;
        await lagging.StopAsync();
        for (var i = 0; i < 600; i++)
        {
            Assert.True((await leader.Store.PutAsync(Put($"w/{i % 50}", $"again{i}"), _ct)).IsOk);
        }
        await lagging.StartAsync(_ct);
        var end = (await leader.Store.StatusAsync(_ct)).Revision;
        var resumed = (await lagging.Store.WatchAsync(new WatchRequest { Key = Bytes.Of("w/"), RangeEnd = Bytes.PrefixEnd(Bytes.Of("w/")), StartRevision = start }, _ct)).Value;
        var expected = start;
        while (expected <= end)
        {
            var response = await resumed.ReadAsync(_ct);
            Assert.False(response.IsEnd, response.ToString());
            foreach (var e in response.Events)
            {
                Assert.Equal(expected++, e.Kv.ModRevision);
            }
        }
        await watch.DisposeAsync();
        await cluster.WaitConvergedAsync(_ct);
        Assert.Equal(1, lagging.Member!.SnapshotsInstalled);
    }

    [Fact]
    public async Task A_whole_cluster_restarted_from_its_data_folders_has_every_write()
    {
        uint hash;
        var policy = new SnapshotPolicy(EveryEntries: 100, RetainedEntries: 20);
        var cluster = await RaftTestCluster.StartAsync(3, _dir.Path, _ct, policy);
        await using (cluster)
        {
            var leader = await cluster.WaitForLeaderAsync(_ct);
            for (var i = 0; i < 300; i++)
            {
                Assert.True((await leader.Store.PutAsync(Put($"r{i % 40}", $"{i}"), _ct)).IsOk);
            }
            hash = await cluster.WaitConvergedAsync(_ct);
            foreach (var member in cluster.Members)
            {
                await member.StopAsync();
            }
            foreach (var member in cluster.Members)
            {
                await member.StartAsync(_ct);
            }
            await cluster.WaitForLeaderAsync(_ct);
            Assert.Equal(hash, await cluster.WaitConvergedAsync(_ct));
            var revision = (await cluster.Members[0].Store.StatusAsync(_ct)).Revision;
            Assert.Equal(301, revision);
            Assert.True((await cluster.Members[1].Store.PutAsync(Put("after", "restart"), _ct)).IsOk);
            Assert.Equal(302, (await cluster.Members[1].Store.StatusAsync(_ct)).Revision);
        }
    }
}
