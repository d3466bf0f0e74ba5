using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// etcdctl's put, get and del, unmodified, against real server processes: the exact lines it prints, and its
/// JSON output (base64 keys and values, revisions, versions). Written once, run on one member and on three.
/// </summary>
public abstract class EtcdctlKvTests(EtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTest(cluster, output)
{
    [RequiresEtcdctlFact]
    public Task Put_then_get_a_key_a_prefix_and_an_older_revision() => RunAsync(async () =>
    {
        var (a, b) = (Key("a"), Key("b"));
        var first = await PutAsync(a, "v1");
        Assert.Equal(["OK"], (await Etcdctl.SucceedsAsync($"put {a} v2", Timeout)).Lines);
        await PutAsync(b, "x");

        Assert.Equal([a, "v2"], (await Etcdctl.SucceedsAsync($"get {a}", Timeout)).Lines);
        Assert.Equal([a, "v1"], (await Etcdctl.SucceedsAsync($"get {a} --rev={first}", Timeout)).Lines);
        Assert.Equal([a, "v2", b, "x"], (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix", Timeout)).Lines);
        Assert.Equal(["v2", "x"], (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix --print-value-only", Timeout)).Lines);
        // A range [a, b): the end is exclusive.
        Assert.Equal([a, "v2"], (await Etcdctl.SucceedsAsync($"get {a} {b}", Timeout)).Lines);
    });

    [RequiresEtcdctlFact]
    public Task Get_as_json_shows_revisions_versions_and_base64_keys_and_values() => RunAsync(async () =>
    {
        var key = Key("json");
        var created = await PutAsync(key, "one");
        var modified = await PutAsync(key, "two");

        var json = (await Etcdctl.SucceedsAsync($"get {key} -w json", Timeout)).Json;
        Assert.Equal(modified, json.Revision());
        Assert.Equal(1, json.Number("count"));
        var kv = Assert.Single(json.GetProperty("kvs").EnumerateArray());
        Assert.Equal(key, kv.Text("key"));
        Assert.Equal("two", kv.Text("value"));
        Assert.Equal(created, kv.Number("create_revision"));
        Assert.Equal(modified, kv.Number("mod_revision"));
        Assert.Equal(2, kv.Number("version"));

        var old = Assert.Single((await Etcdctl.SucceedsAsync($"get {key} --rev={created} -w json", Timeout)).Json.GetProperty("kvs").EnumerateArray());
        Assert.Equal(("one", created, created, 1L), (old.Text("value"), old.Number("create_revision"), old.Number("mod_revision"), old.Number("version")));
    });

    [RequiresEtcdctlFact]
    public Task Get_with_keys_only_limit_sort_and_order() => RunAsync(async () =>
    {
        var (k1, k2, k3) = (Key("p1"), Key("p2"), Key("p3"));
        await PutAsync(k1, "b");
        await PutAsync(k2, "c");
        await PutAsync(k3, "a");

        // Keys only: each key followed by the empty line where its value would be.
        Assert.Equal($"{k1}\n\n{k2}\n\n{k3}\n\n", (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix --keys-only", Timeout)).Stdout);

        var limited = (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix --limit=2 -w json", Timeout)).Json;
        Assert.Equal([k1, k2], limited.GetProperty("kvs").EnumerateArray().Select(kv => kv.Text("key")));
        Assert.True(limited.GetProperty("more").GetBoolean());
        Assert.Equal(3, limited.Number("count"));

        Assert.Equal([k3, "a", k1, "b", k2, "c"], (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix --sort-by=VALUE", Timeout)).Lines);
        Assert.Equal([k3, k2, k1], (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix --sort-by=KEY --order=DESCEND --keys-only", Timeout)).Lines.Where(l => l.Length > 0));
        Assert.Equal([k3, "a", k2, "c"], (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix --sort-by=MODIFY --order=DESCEND --limit=2", Timeout)).Lines);
    });

    [RequiresEtcdctlFact]
    public Task Get_of_a_missing_key_prints_nothing_and_exits_0() => RunAsync(async () =>
    {
        var result = await Etcdctl.SucceedsAsync($"get {Key("missing")}", Timeout);
        Assert.Equal("", result.Stdout);
        var json = (await Etcdctl.SucceedsAsync($"get {Key("missing")} -w json", Timeout)).Json;
        Assert.False(json.TryGetProperty("kvs", out _));
        Assert.Equal(0, json.Number("count"));
    });

    [RequiresEtcdctlFact]
    public Task Del_prints_the_count_and_with_prev_kv_the_deleted_pairs() => RunAsync(async () =>
    {
        var (d1, d2, d3) = (Key("d1"), Key("d2"), Key("d3"));
        await PutAsync(d1, "v1");
        await PutAsync(d2, "v2");
        var last = await PutAsync(d3, "v3");

        Assert.Equal(["1"], (await Etcdctl.SucceedsAsync($"del {d1}", Timeout)).Lines);
        Assert.Equal(["2", d2, "v2", d3, "v3"], (await Etcdctl.SucceedsAsync($"del {Prefix} --prefix --prev-kv", Timeout)).Lines);
        Assert.Equal(["0"], (await Etcdctl.SucceedsAsync($"del {Prefix} --prefix", Timeout)).Lines);
        Assert.Equal("", (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix", Timeout)).Stdout);

        // Each delete that removed something took a revision; the one that removed nothing did not.
        var json = (await Etcdctl.SucceedsAsync($"get {Prefix} --prefix -w json", Timeout)).Json;
        Assert.Equal(last + 2, json.Revision());
        Assert.Equal([d1, "v1"], (await Etcdctl.SucceedsAsync($"get {d1} --rev={last}", Timeout)).Lines);
    });

    [RequiresEtcdctlFact]
    public Task Bad_requests_exit_with_etcds_errors_and_change_nothing() => RunAsync(async () =>
    {
        var key = Key("k");
        var revision = await PutAsync(key, "v");

        (await Etcdctl.RunAsync(["get", key, $"--rev={revision + 1000}"], Timeout)).FailedWith(1, "etcdserver: mvcc: required revision is a future revision");
        (await Etcdctl.RunAsync(["put", "", "value"], Timeout)).FailedWith(1, "etcdserver: key is not provided");
        (await Etcdctl.RunAsync(["put"], Timeout)).FailedWith(128, "put command needs 1 argument and input from stdin or 2 arguments");
        (await Etcdctl.RunAsync(["get", key, "--sort-by=COLOUR"], Timeout)).FailedWith(4, "bad sort target COLOUR");

        var after = (await Etcdctl.SucceedsAsync($"get {key} -w json", Timeout)).Json;
        Assert.Equal(revision, after.Revision());
    });
}

[Collection(EtcdctlCollections.OneMember)]
public sealed class OneMemberEtcdctlKvTests(OneMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlKvTests(cluster, output);

[Collection(EtcdctlCollections.ThreeMembers)]
public sealed class ThreeMemberEtcdctlKvTests(ThreeMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlKvTests(cluster, output);
