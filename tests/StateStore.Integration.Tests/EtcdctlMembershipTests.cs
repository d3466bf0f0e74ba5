using System.Text.RegularExpressions;
using StateStore.Integration.Tests.Harness;
using StateStore.Testing;

namespace StateStore.Integration.Tests;

/// <summary>
/// etcdctl member add and member remove, on three members only: a member added and never started counts
/// towards quorum in etcd (3 of 4 here, still met by the three running); on one member it would make the
/// quorum 2 of 2 and stop the cluster.
/// </summary>
[Collection(EtcdctlCollections.ThreeMembers)]
public sealed partial class EtcdctlMembershipTests(ThreeMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTest(cluster, output)
{
    [RequiresEtcdctlFact]
    public Task Member_add_lists_the_unstarted_member_on_every_member_and_member_remove_takes_it_out() => RunAsync(async () =>
    {
        var before = (await Etcdctl.SucceedsAsync("member list -w json", Timeout)).Json.Members();
        var peer = $"http://127.0.0.1:{LoopbackPorts.Integration.Next()}";

        var added = await Etcdctl.SucceedsAsync($"member add extra --peer-urls={peer}", Timeout);
        var match = AddedLine().Match(added.Lines[0]);
        Assert.True(match.Success, added.ToString());
        var (id, clusterId) = (match.Groups[1].Value, match.Groups[2].Value);
        try
        {
            // What to start the new member with: every member, itself under the name given, joining an existing cluster.
            var initialCluster = Assert.Single(added.Lines, l => l.StartsWith("ETCD_INITIAL_CLUSTER=", StringComparison.Ordinal));
            Assert.Equal(before.Select(m => $"{m.Name}={m.PeerUrls}").Append($"extra={peer}").Order(), initialCluster.Split('"')[1].Split(',').Order());
            Assert.Contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\"", added.Lines);

            // Every member lists it, unstarted: no name and no client URL until it runs.
            var unstarted = new EtcdctlMember(Convert.ToUInt64(id, 16), "", peer, "");
            foreach (var member in Cluster.Members)
            {
                var listed = (await Alone(member).SucceedsAsync("member list -w json", Timeout)).Json.Members();
                Assert.Equal(before.Append(unstarted).OrderBy(m => m.Id), listed.OrderBy(m => m.Id));
                Assert.Contains($"{id}, unstarted, , {peer}, , false", (await Alone(member).SucceedsAsync("member list", Timeout)).Lines);
            }

            Assert.Equal([$"Member {id,16} removed from cluster {clusterId,16}"], (await Etcdctl.SucceedsAsync($"member remove {id}", Timeout)).Lines);
            foreach (var member in Cluster.Members)
            {
                var listed = (await Alone(member).SucceedsAsync("member list -w json", Timeout)).Json.Members();
                Assert.Equal(before.OrderBy(m => m.Id), listed.OrderBy(m => m.Id));
            }
        }
        catch
        {
            // The cluster is shared: leave no pending member behind to confuse the other tests.
            await Etcdctl.RunAsync(["member", "remove", id], CancellationToken.None);
            throw;
        }
        (await Etcdctl.RunAsync(["member", "remove", id], Timeout)).FailedWith(1, "etcdserver: member not found");

        // The three founders still make a quorum.
        await PutAsync(Key("after"), "v");
    });

    /// <summary>etcdctl pointed at <paramref name="member"/> alone, so that each member's own answer is checked.</summary>
    private static Etcdctl Alone(ServerProcess member) => new([member.Config.ClientUrl]);

    // etcdctl prints both ids as %16x here and in member remove's line: padded to 16 characters with spaces.
    [GeneratedRegex("^Member +([0-9a-f]+) added to cluster +([0-9a-f]+)$")]
    private static partial Regex AddedLine();
}
