using System.Text.Json;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// etcdctl watch, left running: from an old revision it prints exactly the history after it, in order, then
/// live events. Starting from a revision (not from now) means a live put made before the watch is set up is
/// still seen, so the tests need no sleep. Written once, run on one member and on three.
/// </summary>
public abstract class EtcdctlWatchTests(EtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTest(cluster, output)
{
    [RequiresEtcdctlFact]
    public Task Watch_a_key_from_an_old_revision_with_prev_kv_prints_the_history_in_order_then_live_events() => RunAsync(async () =>
    {
        var key = Key("w");
        await PutAsync(key, "v1");
        var from = await PutAsync(key, "v2");
        await PutAsync(Key("not-watched"), "x");
        await PutAsync(key, "v3");
        Assert.Equal(["1"], (await Etcdctl.SucceedsAsync($"del {key}", Timeout)).Lines);

        await using var watch = Etcdctl.Start(["watch", key, $"--rev={from}", "--prev-kv"]);
        // Each event: its type, the previous pair (with --prev-kv, where there was one), then the pair.
        Assert.Equal(
        [
            "PUT", key, "v1", key, "v2",
            "PUT", key, "v2", key, "v3",
            "DELETE", key, "v3", key, "",
        ], await watch.ReadLinesAsync(15, Timeout));

        await PutAsync(key, "v4");
        Assert.Equal(["PUT", key, "v4"], await watch.ReadLinesAsync(3, Timeout));
    });

    [RequiresEtcdctlFact]
    public Task Watch_a_prefix_as_json_sees_each_event_with_its_revision_and_none_outside_the_prefix() => RunAsync(async () =>
    {
        var (a, b) = (Key("x/a"), Key("x/b"));
        var first = await PutAsync(a, "1");
        var second = await PutAsync(b, "2");
        await PutAsync(Key("y/c"), "outside");
        var deleted = (await Etcdctl.SucceedsAsync($"del {a} -w json", Timeout)).Json.Revision();

        await using var watch = Etcdctl.Start(["watch", "--prefix", Key("x/"), $"--rev={first}", "--prev-kv", "-w", "json"]);
        Assert.Equal(
        [
            ("PUT", a, "1", first, ""),
            ("PUT", b, "2", second, ""),
            ("DELETE", a, "", deleted, "1"),
        ], await EventsAsync(watch, 3));

        var live = await PutAsync(b, "3");
        Assert.Equal([("PUT", b, "3", live, "2")], await EventsAsync(watch, 1));
    });

    /// <summary>
    /// The next <paramref name="count"/> events of a <c>watch -w json</c>, one response per line (a response may
    /// carry several events): type, key, value, mod revision, previous value.
    /// </summary>
    private async Task<List<(string Type, string Key, string Value, long ModRevision, string PrevValue)>> EventsAsync(CliProcess watch, int count)
    {
        var events = new List<(string, string, string, long, string)>();
        while (events.Count < count)
        {
            var response = JsonDocument.Parse((await watch.ReadLinesAsync(1, Timeout))[0]).RootElement;
            // A response without events (a progress notification) prints "Events":null.
            var list = response.GetProperty("Events");
            foreach (var e in list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [])
            {
                var kv = e.GetProperty("kv");
                var prev = e.TryGetProperty("prev_kv", out var p) ? p.Text("value") : "";
                events.Add((e.Number("type") == 1 ? "DELETE" : "PUT", kv.Text("key"), kv.Text("value"), kv.Number("mod_revision"), prev));
            }
        }
        return events;
    }
}

[Collection(EtcdctlCollections.OneMember)]
public sealed class OneMemberEtcdctlWatchTests(OneMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlWatchTests(cluster, output);

[Collection(EtcdctlCollections.ThreeMembers)]
public sealed class ThreeMemberEtcdctlWatchTests(ThreeMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlWatchTests(cluster, output);
