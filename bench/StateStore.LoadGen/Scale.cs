using System.Diagnostics;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace StateStore.LoadGen;

/// <summary>
/// `loadgen scale`: on a fresh 3-member etcd and a fresh 3-member StateStore, load N keys of 256 B (parallel
/// puts to the leader), then report each member's RSS and data folder on disk; SIGKILL a follower, restart it
/// and time it until it serves a serializable get and until it is caught up; add a brand-new member and time
/// it until its revision equals the leader's. One table, etcd beside StateStore.
/// </summary>
internal static class Scale
{
    private sealed record Metric(string Name, bool HigherIsBetter, double Value);

    /// <summary>Any single wait here (a put, a member becoming ready or catching up) gives up after this.</summary>
    private static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(10);

    public static async Task<int> RunAsync(string statestoreDll, int keys, int inflight, IReadOnlyList<string> systems, CancellationToken ct)
    {
        var results = new Dictionary<string, List<Metric>>();
        var notes = new List<string>();
        var port = 33000;
        await WorkFolder.RunAsync("scale", async work =>
        {
            foreach (var system in systems)
            {
                port += 40;
                using var cluster = await LocalCluster.StartAsync(system, statestoreDll, work, port, ct);
                results[system] = await MeasureAsync(cluster, keys, inflight, notes, ct);
            }
        });
        Console.WriteLine($"{keys:N0} keys of 256 B, {inflight} puts in flight, 3 members each (+1 added)");
        if (results.Count < 2)
        {
            return 0; // one system: its lines went to stderr as it ran
        }
        Console.WriteLine("| metric | etcd 3.4 | StateStore | ratio (≥1: StateStore better) |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var (etcd, ours) in results["etcd"].Zip(results["statestore"]))
        {
            var ratio = etcd.HigherIsBetter ? ours.Value / etcd.Value : etcd.Value / ours.Value;
            Console.WriteLine($"| {etcd.Name} | {etcd.Value:F1} | {ours.Value:F1} | {ratio:F2} |");
        }
        foreach (var note in notes)
        {
            Console.WriteLine($"- {note}");
        }
        return 0;
    }

    private static async Task<List<Metric>> MeasureAsync(LocalCluster cluster, int keys, int inflight, List<string> notes, CancellationToken ct)
    {
        var metrics = new List<Metric>();
        void Report(string name, bool higherIsBetter, double value)
        {
            metrics.Add(new(name, higherIsBetter, value));
            Console.Error.WriteLine($"{cluster.System,-10} {name,-34} {value,10:F1}");
        }

        using var endpoints = new Endpoints(cluster.ClientUrls);
        var leader = (await endpoints.FindLeaderAsync(ct)).Leader;
        var clock = Stopwatch.StartNew();
        var retries = await LoadAsync(endpoints.Kv(leader), keys, inflight, cluster.System, ct);
        Report("load: puts/s", true, keys / clock.Elapsed.TotalSeconds);
        var revision = await WaitSameRevisionAsync(endpoints, ct);
        Report("load: until all members applied s", false, clock.Elapsed.TotalSeconds);
        notes.Add($"{cluster.System}: loaded {keys:N0} keys to revision {revision} ({retries} put retries)");

        var followers = Enumerable.Range(0, cluster.Count).Where(i => i != leader).ToArray();
        foreach (var (i, role) in new[] { (leader, "leader") }.Concat(followers.Select((f, n) => (f, $"follower {n + 1}"))))
        {
            Report($"RSS {role} MiB", false, cluster.RssMib(i));
            Report($"data dir {role} MiB", false, cluster.DiskMib(i));
        }

        // A follower killed and started again from its data folder.
        var follower = followers[0];
        cluster.Kill(follower);
        clock.Restart();
        cluster.Restart(follower);
        // A fresh channel per attempt (here and for the new member below): a channel dialled while the member is down
        // backs off its reconnects, and would time that backoff rather than the member.
        await UntilAsync(async () =>
        {
            using var fresh = new Endpoints([cluster.ClientUrls[follower]]);
            return await ServesAsync(fresh.Kv(0), $"scale/{keys - 1:D8}", ct);
        }, $"{cluster.System} restarted follower serving", ct);
        Report("restarted follower: serving s", false, clock.Elapsed.TotalSeconds);
        await UntilAsync(async () => await RevisionAsync(endpoints.Maintenance(follower), ct) == revision, $"{cluster.System} restarted follower caught up", ct);
        Report("restarted follower: caught up s", false, clock.Elapsed.TotalSeconds);
        Report("restarted follower: RSS MiB", false, cluster.RssMib(follower));

        // A brand-new member: MemberAdd, started with --initial-cluster-state existing.
        var (added, addedAt) = await cluster.AddMemberAsync(endpoints, leader, ct);
        await UntilAsync(async () =>
        {
            using var fresh = new Endpoints([cluster.ClientUrls[added]]);
            return await RevisionAsync(fresh.Maintenance(0), ct) == revision;
        }, $"{cluster.System} new member caught up", ct);
        Report("new member: MemberAdd to caught up s", false, Stopwatch.GetElapsedTime(addedAt).TotalSeconds);
        Report("new member: RSS MiB", false, cluster.RssMib(added));
        Report("new member: data dir MiB", false, cluster.DiskMib(added));
        var output = cluster.Output(added);
        var snapshot = output.Contains("Installing snapshot", StringComparison.Ordinal) || output.Contains("applied snapshot", StringComparison.Ordinal);
        notes.Add($"{cluster.System}: the new member {(snapshot ? "caught up through a snapshot" : "logged no snapshot install (caught up from the log)")}");
        return metrics;
    }

    /// <summary>Puts scale/00000000 … with one 256 B value (random bytes, so nothing compresses), <paramref name="inflight"/> at a time; returns the retries.</summary>
    private static async Task<int> LoadAsync(KV.KVClient kv, int keys, int inflight, string system, CancellationToken ct)
    {
        var value = new byte[256];
        new Random(256).NextBytes(value);
        var payload = ByteString.CopyFrom(value);
        var next = -1;
        var retries = 0;
        var tenth = Math.Max(1, keys / 10);
        await Task.WhenAll(Enumerable.Range(0, inflight).Select(async _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < keys;)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"scale/{i:D8}"), Value = payload },
                            deadline: DateTime.UtcNow + TimeSpan.FromSeconds(30), cancellationToken: ct);
                        break;
                    }
                    catch (RpcException e) when (attempt < 3 && e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
                    {
                        Interlocked.Increment(ref retries);
                    }
                }
                if ((i + 1) % tenth == 0)
                {
                    Console.Error.WriteLine($"{system,-10} loaded {i + 1:N0} keys");
                }
            }
        }));
        return retries;
    }

    /// <summary>Waits until every member reports the same revision; returns it.</summary>
    private static async Task<long> WaitSameRevisionAsync(Endpoints endpoints, CancellationToken ct)
    {
        long revision = 0;
        await UntilAsync(async () =>
        {
            var revisions = await Task.WhenAll(Enumerable.Range(0, endpoints.Count).Select(i => RevisionAsync(endpoints.Maintenance(i), ct)));
            revision = revisions[0];
            return revisions.All(r => r == revision && r > 0);
        }, "all members at one revision", ct);
        return revision;
    }

    /// <summary>The member's revision (Maintenance.Status), or -1 while it does not answer.</summary>
    private static async Task<long> RevisionAsync(Maintenance.MaintenanceClient member, CancellationToken ct)
    {
        try
        {
            return (await member.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: ct)).Header.Revision;
        }
        catch (RpcException)
        {
            return -1;
        }
    }

    /// <summary>True when a serializable get of <paramref name="key"/> finds it.</summary>
    private static async Task<bool> ServesAsync(KV.KVClient kv, string key, CancellationToken ct)
    {
        try
        {
            var response = await kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(key), Serializable = true },
                deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: ct);
            return response.Count == 1;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; fails after <see cref="StepLimit"/>.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > StepLimit)
            {
                throw new TimeoutException($"{what}: not within {StepLimit}");
            }
            await Task.Delay(50, ct);
        }
    }
}
