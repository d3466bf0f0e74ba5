using StateStore.Kv;
using StateStore.Raft.Tests.Cluster;
using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>Adding and removing members on a running cluster, etcd's way round: MemberAdd first, then start the member.</summary>
public sealed class MembershipTests : IDisposable
{
    private readonly TempDirectory _dir = new("membership");
    private readonly CancellationToken _ct = TestTimeout.Token(TimeSpan.FromMinutes(2));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_member_added_and_one_removed_under_load_leave_every_write_on_every_member()
    {
        await using var cluster = await RaftTestCluster.StartAsync(3, _dir.Path, _ct);
        using var stop = new CancellationTokenSource();
        var acknowledged = 0;
        var follower = await cluster.FollowerAsync(_ct);
        var leader = await cluster.WaitForLeaderAsync(_ct);
        // Writes go through the two members that stay: the leader, and a follower that forwards.
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var member = i % 2 == 0 ? leader : follower;
                if ((await member.Store.PutAsync(new PutRequest { Key = Bytes.Of($"load/{i:D6}"), Value = Bytes.Of("v") }, _ct)).IsOk)
                {
                    Interlocked.Increment(ref acknowledged);
                }
            }
        });

        var listed = (await follower.Store.MemberListAsync(_ct)).Value.Members;
        Assert.Equal(3, listed.Count);
        Assert.All(listed, m => Assert.NotEmpty(m.Name));
        Assert.All(listed, m => Assert.Single(m.ClientUrls));

        // etcd's order: add the member (via a follower, so the change is forwarded), then start it.
        var joiner = await cluster.StartJoiningMemberAsync("m3", _dir.Path, _ct);
        var added = await follower.Store.MemberAddAsync(new MemberAddRequest([$"http://{joiner.Options.PeerEndPoint}"]), _ct);
        Assert.True(added.IsOk, added.ToString());
        Assert.Equal(4, added.Value.Members.Count);
        Assert.Equal(KvStatus.PeerUrlExists, (await follower.Store.MemberAddAsync(new MemberAddRequest([$"http://{joiner.Options.PeerEndPoint}"]), _ct)).Status);
        while ((await joiner.Store.StatusAsync(_ct)).LeaderId == 0)
        {
            await Task.Delay(50, _ct);
        }

        // Remove a follower that is not the one we talk to.
        var victim = cluster.Members.First(m => m.Running && m != leader && m != follower && m != joiner);
        var removed = await follower.Store.MemberRemoveAsync(new MemberRemoveRequest(victim.Member!.MemberId), _ct);
        Assert.True(removed.IsOk, removed.ToString());
        Assert.DoesNotContain(removed.Value.Members, m => m.Id == victim.Member.MemberId);
        Assert.Equal(KvStatus.MemberNotFound, (await follower.Store.MemberRemoveAsync(new MemberRemoveRequest(victim.Member.MemberId), _ct)).Status);
        await victim.StopAsync();

        await Task.Delay(1_000, _ct);
        stop.Cancel();
        await writer;
        Assert.True(acknowledged > 20, $"only {acknowledged} writes were acknowledged");
        await cluster.WaitConvergedAsync(_ct);
        var revision = (await joiner.Store.StatusAsync(_ct)).Revision;
        Assert.Equal(1 + acknowledged, revision);
        foreach (var member in cluster.Members.Where(m => m.Running))
        {
            Assert.Equal(acknowledged, (await member.Store.RangeAsync(new RangeRequest { Key = Bytes.Of("load/"), RangeEnd = Bytes.PrefixEnd(Bytes.Of("load/")), CountOnly = true }, _ct)).Value.Count);
            Assert.Equal(3, (await member.Store.MemberListAsync(_ct)).Value.Members.Count);
        }
    }
}
