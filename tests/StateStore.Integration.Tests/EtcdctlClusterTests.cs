using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// etcdctl's view of the cluster: member list, and endpoint status, health and hashkv with --cluster (every
/// member asked, found through member list). Written once, run on one member and on three.
/// </summary>
public abstract class EtcdctlClusterTests(EtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTest(cluster, output)
{
    [RequiresEtcdctlFact]
    public Task Member_list_names_every_member_with_its_id_and_urls() => RunAsync(async () =>
    {
        var expected = await ExpectedMembersAsync();

        var listed = (await Etcdctl.SucceedsAsync("member list -w json", Timeout)).Json.Members();
        Assert.Equal(expected.OrderBy(m => m.Id), listed.OrderBy(m => m.Id));

        var lines = (await Etcdctl.SucceedsAsync("member list", Timeout)).Lines;
        Assert.Equal(expected.Select(m => $"{m.Id:x}, started, {m.Name}, {m.PeerUrls}, {m.ClientUrls}, false").Order(), lines.Order());

        var table = (await Etcdctl.SucceedsAsync("member list -w table", Timeout)).Lines;
        Assert.Equal(expected.Select(m => m.Name).Order(), Rows(table).Select(row => row[2]).Order());
    });

    [RequiresEtcdctlFact]
    public Task Endpoint_status_health_and_hashkv_with_cluster_show_every_member_agreeing_on_one_leader() => RunAsync(async () =>
    {
        await PutAsync(Key("k"), "v");
        var converged = await Cluster.WaitConvergedAsync(Timeout);
        var leaderName = (await Cluster.LeaderAsync(Timeout)).Name;
        var leader = (await Cluster.StatusesAsync(Timeout)).Single(s => s.Name == leaderName).MemberId;
        var endpoints = Cluster.Members.Select(m => m.Config.ClientUrl).Order().ToList();

        var status = (await Etcdctl.SucceedsAsync("endpoint status --cluster -w json", Timeout)).Json.EnumerateArray().ToList();
        Assert.Equal(endpoints, status.Select(s => s.GetProperty("Endpoint").GetString()).Order());
        Assert.All(status, s => Assert.Equal(converged.Revision, s.GetProperty("Status").Revision()));
        Assert.All(status, s => Assert.Equal(leader, s.GetProperty("Status").GetProperty("leader").GetUInt64()));
        Assert.Equal(Cluster.Members.Count, status.Select(s => s.GetProperty("Status").GetProperty("header").GetProperty("member_id").GetUInt64()).Distinct().Count());

        // In the table, exactly the leader's row says IS LEADER true.
        var rows = Rows((await Etcdctl.SucceedsAsync("endpoint status --cluster -w table", Timeout)).Lines);
        Assert.Equal(Cluster.Members.Count, rows.Count);
        Assert.Equal($"{leader:x}", Assert.Single(rows, row => row[4] == "true")[1]);

        var health = (await Etcdctl.SucceedsAsync("endpoint health --cluster -w json", Timeout)).Json.EnumerateArray().ToList();
        Assert.Equal(endpoints, health.Select(h => h.GetProperty("endpoint").GetString()).Order());
        Assert.All(health, h => Assert.True(h.GetProperty("health").GetBoolean(), h.ToString()));

        var hashes = (await Etcdctl.SucceedsAsync("endpoint hashkv --cluster -w json", Timeout)).Json.EnumerateArray().ToList();
        Assert.Equal(endpoints, hashes.Select(h => h.GetProperty("Endpoint").GetString()).Order());
        Assert.All(hashes, h => Assert.Equal(converged.Hash, h.GetProperty("HashKV").GetProperty("hash").GetUInt32()));
        Assert.All(hashes, h => Assert.Equal(converged.Revision, h.GetProperty("HashKV").Revision()));
    });

    /// <summary>Every member as it describes itself over gRPC (Status gives its id).</summary>
    private async Task<List<EtcdctlMember>> ExpectedMembersAsync()
    {
        var ids = (await Cluster.StatusesAsync(Timeout)).ToDictionary(s => s.Name, s => s.MemberId);
        Assert.Equal(Cluster.Members.Count, ids.Count);
        return Cluster.Members.Select(m => new EtcdctlMember(ids[m.Name], m.Name, m.Config.PeerUrl, m.Config.ClientUrl)).ToList();
    }

    /// <summary>The body rows of an etcdctl table, each cell trimmed.</summary>
    private static List<string[]> Rows(IReadOnlyList<string> table) =>
        table.Where(line => line.StartsWith('|')).Skip(1).Select(line => line.Trim('|').Split('|').Select(cell => cell.Trim()).ToArray()).ToList();
}

[Collection(EtcdctlCollections.OneMember)]
public sealed class OneMemberEtcdctlClusterTests(OneMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlClusterTests(cluster, output);

[Collection(EtcdctlCollections.ThreeMembers)]
public sealed class ThreeMemberEtcdctlClusterTests(ThreeMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlClusterTests(cluster, output);
