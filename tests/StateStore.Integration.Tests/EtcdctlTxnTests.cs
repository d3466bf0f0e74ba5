using System.Text;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// etcdctl's txn in its interactive format on stdin (compares, a blank line, success ops, a blank line, failure
/// ops, a blank line), and compaction. Written once, run on one member and on three.
/// </summary>
public abstract class EtcdctlTxnTests(EtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTest(cluster, output)
{
    /// <summary>etcd's default --max-txn-ops.</summary>
    private const int MaxTxnOps = 128;

    [RequiresEtcdctlFact]
    public Task Txn_from_stdin_takes_the_success_branch_then_the_failure_branch() => RunAsync(async () =>
    {
        var (key, other) = (Key("k"), Key("other"));
        var created = await PutAsync(key, "v1");
        var txn = $"value(\"{key}\") = \"v1\"\nmod(\"{key}\") = \"{created}\"\n\nput {key} v2\nput {other} o\n\nput {key} never\n\n";

        Assert.Equal(["SUCCESS", "", "OK", "", "OK"], (await Etcdctl.SucceedsAsync("txn", Timeout, txn)).Lines);
        Assert.Equal([key, "v2", other, "o"], (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix", Timeout)).Lines);
        var both = (await Etcdctl.SucceedsAsync($"get {key} -w json", Timeout)).Json;
        Assert.Equal(created + 1, both.Revision());
        Assert.Equal(created + 1, Assert.Single(both.GetProperty("kvs").EnumerateArray()).Number("mod_revision"));

        // The same compares now fail (the value is v2): the failure ops run, and a get in them prints its pairs.
        var failed = txn.Replace($"put {key} never\n", $"put {key} fallback\nget {other}\n");
        Assert.Equal(["FAILURE", "", "OK", "", other, "o"], (await Etcdctl.SucceedsAsync("txn", Timeout, failed)).Lines);
        Assert.Equal([key, "fallback"], (await Etcdctl.SucceedsAsync($"get {key}", Timeout)).Lines);

        var json = (await Etcdctl.SucceedsAsync("txn -w json", Timeout, $"version(\"{key}\") = \"3\"\n\nget {key}\n\n\n")).Json;
        Assert.True(json.GetProperty("succeeded").GetBoolean());
        Assert.Equal(created + 2, json.Revision());
    });

    [RequiresEtcdctlFact]
    public Task Txn_with_128_ops_commits_in_one_revision_and_129_are_refused() => RunAsync(async () =>
    {
        var revision = (await Etcdctl.SucceedsAsync("txn -w json", Timeout, Puts("max", MaxTxnOps))).Json.Revision();
        var written = (await Etcdctl.SucceedsAsync($"get {Key("max/")} --prefix -w json", Timeout)).Json;
        Assert.Equal(MaxTxnOps, written.Number("count"));
        Assert.All(written.GetProperty("kvs").EnumerateArray(), kv => Assert.Equal(revision, kv.Number("mod_revision")));

        (await Etcdctl.RunAsync(["txn"], Timeout, Puts("over", MaxTxnOps + 1))).FailedWith(1, "etcdserver: too many operations in txn request");
        var after = (await Etcdctl.SucceedsAsync($"get {Key("over/")} --prefix -w json", Timeout)).Json;
        Assert.Equal(0, after.Number("count"));
        Assert.Equal(revision, after.Revision());
    });

    [RequiresEtcdctlFact]
    public Task Compaction_refuses_reads_below_it_and_physical_compaction_too() => RunAsync(async () =>
    {
        var key = Key("c");
        var r1 = await PutAsync(key, "v1");
        var r2 = await PutAsync(key, "v2");
        var r3 = await PutAsync(key, "v3");

        Assert.Equal([$"compacted revision {r2}"], (await Etcdctl.SucceedsAsync($"compaction {r2}", Timeout)).Lines);
        (await Etcdctl.RunAsync(["get", key, $"--rev={r1}"], Timeout)).FailedWith(1, "etcdserver: mvcc: required revision has been compacted");
        Assert.Equal([key, "v2"], (await Etcdctl.SucceedsAsync($"get {key} --rev={r2}", Timeout)).Lines);

        Assert.Equal([$"compacted revision {r3}"], (await Etcdctl.SucceedsAsync($"compaction {r3} --physical", Timeout)).Lines);
        (await Etcdctl.RunAsync(["get", key, $"--rev={r2}"], Timeout)).FailedWith(1, "etcdserver: mvcc: required revision has been compacted");
        (await Etcdctl.RunAsync(["compaction", $"{r3}"], Timeout)).FailedWith(1, "etcdserver: mvcc: required revision has been compacted");
        (await Etcdctl.RunAsync(["compaction", $"{r3 + 1000}"], Timeout)).FailedWith(1, "etcdserver: mvcc: required revision is a future revision");
        Assert.Equal([key, "v3"], (await Etcdctl.SucceedsAsync($"get {key}", Timeout)).Lines);
    });

    /// <summary>A txn on stdin with no compares and <paramref name="count"/> puts under <paramref name="name"/>/ as its success ops.</summary>
    private string Puts(string name, int count)
    {
        var txn = new StringBuilder("\n");
        for (var i = 0; i < count; i++)
        {
            txn.Append($"put {Key(name)}/{i:D3} v\n");
        }
        return txn.Append("\n\n").ToString();
    }
}

[Collection(EtcdctlCollections.OneMember)]
public sealed class OneMemberEtcdctlTxnTests(OneMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTxnTests(cluster, output);

[Collection(EtcdctlCollections.ThreeMembers)]
public sealed class ThreeMemberEtcdctlTxnTests(ThreeMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTxnTests(cluster, output);
