namespace StateStore.LoadGen;

/// <summary>
/// `loadgen compare`: each test on a fresh 3-member etcd and a fresh 3-member StateStore, alternately
/// (A B A B …) for several rounds, then one table of medians and spreads with CPU seconds and peak RSS.
/// </summary>
/// <remarks>
/// With <c>--warm-up</c> every fresh cluster, etcd's and StateStore's alike, first serves the same unmeasured traffic
/// through each member (<see cref="WarmUpAsync"/>): the test then measures a running cluster rather than a process's
/// first seconds, which for StateStore are spent JIT-compiling (etcd is compiled ahead of time). Without it the
/// numbers include that start-up.
/// </remarks>
internal static class Compare
{
    private sealed record Test(string Name, bool HigherIsBetter, Func<Endpoints, LocalCluster, CancellationToken, Task<Result>> Run, Func<Result, double> Metric);

    private static readonly Test[] Tests =
    [
        new("put seq (leader) /s", true, (e, _, ct) => Leader(e, ct, t => Workloads.PutAsync(e, t, 1000, 1, 256, ct)), r => r.PerSecond),
        new("put seq p99 ms", false, (e, _, ct) => Leader(e, ct, t => Workloads.PutAsync(e, t, 1000, 1, 256, ct)), r => r.P99),
        new("put seq (follower) /s", true, (e, _, ct) => Follower(e, ct, t => Workloads.PutAsync(e, t, 1000, 1, 256, ct)), r => r.PerSecond),
        new("put @16 /s", true, (e, _, ct) => Leader(e, ct, t => Workloads.PutAsync(e, t, 8000, 16, 256, ct)), r => r.PerSecond),
        new("put @256 /s", true, (e, _, ct) => Leader(e, ct, t => Workloads.PutAsync(e, t, 30000, 256, 256, ct)), r => r.PerSecond),
        new("put @256 p99 ms", false, (e, _, ct) => Leader(e, ct, t => Workloads.PutAsync(e, t, 30000, 256, 256, ct)), r => r.P99),
        new("get linearizable @64 /s", true, (e, _, ct) => Follower(e, ct, t => Workloads.GetAsync(e, t, 20000, 64, false, ct)), r => r.PerSecond),
        new("get serializable @64 /s", true, (e, _, ct) => Follower(e, ct, t => Workloads.GetAsync(e, t, 30000, 64, true, ct)), r => r.PerSecond),
        new("range 1k keys p50 ms", false, (e, _, ct) => Leader(e, ct, t => Workloads.RangeAsync(e, t, 1000, 100, ct)), r => r.P50),
        new("watch p99 ms @1k/s", false, (e, _, ct) => Workloads.WatchLatencyAsync(e, 1000, TimeSpan.FromSeconds(5), ct), r => r.P99),
        new("failover gap s", false, (e, c, ct) => Workloads.FailoverAsync(e, c.Pids(), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), ct), r => r.Extra ?? double.NaN),
    ];

    private static async Task<Result> Leader(Endpoints e, CancellationToken ct, Func<int, Task<Result>> run) => await run((await e.FindLeaderAsync(ct)).Leader);

    private static async Task<Result> Follower(Endpoints e, CancellationToken ct, Func<int, Task<Result>> run) => await run(((await e.FindLeaderAsync(ct)).Leader + 1) % e.Count);

    /// <summary>Each cluster gets its own ports, 40 above the last, from <paramref name="port"/> on.</summary>
    public static async Task<int> RunAsync(string statestoreDll, int rounds, string? only, int port, bool warmUp, CancellationToken ct)
    {
        var samples = new Dictionary<(string Test, string System), List<(double Value, double Cpu, long Rss)>>();
        await WorkFolder.RunAsync("compare", async work =>
        {
            foreach (var test in Tests.Where(t => only is null || t.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
            {
                for (var round = 0; round < rounds; round++)
                {
                    foreach (var system in new[] { "etcd", "statestore" })
                    {
                        port += 40;
                        using var cluster = await LocalCluster.StartAsync(system, statestoreDll, work, port, ct);
                        using var endpoints = new Endpoints(cluster.ClientUrls);
                        if (warmUp)
                        {
                            await WarmUpAsync(endpoints, ct);
                        }
                        var before = cluster.Usage();
                        var result = await test.Run(endpoints, cluster, ct);
                        var after = cluster.Usage();
                        var value = test.Metric(result);
                        Console.Error.WriteLine($"{test.Name,-26} round {round + 1} {system,-10} {value,10:F2}  ({result})");
                        samples.TryAdd((test.Name, system), []);
                        samples[(test.Name, system)].Add((value, after.CpuSeconds - before.CpuSeconds, after.PeakRssMib));
                    }
                }
            }
        });
        Console.WriteLine($"| metric | etcd 3.4 | StateStore | ratio (≥1: StateStore better) | etcd cpu s / peak RSS MiB | StateStore cpu s / peak RSS MiB |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var test in Tests.Where(t => samples.ContainsKey((t.Name, "etcd"))))
        {
            var etcd = samples[(test.Name, "etcd")];
            var ours = samples[(test.Name, "statestore")];
            var (e, o) = (Median(etcd.Select(s => s.Value)), Median(ours.Select(s => s.Value)));
            var ratio = test.HigherIsBetter ? o / e : e / o;
            Console.WriteLine($"| {test.Name} | {Show(etcd.Select(s => s.Value))} | {Show(ours.Select(s => s.Value))} | {ratio:F2} | {Median(etcd.Select(s => s.Cpu)):F1} / {etcd.Max(s => s.Rss)} | {Median(ours.Select(s => s.Cpu)):F1} / {ours.Max(s => s.Rss)} |");
        }
        return 0;
    }

    /// <summary>
    /// Through each member in turn: puts at 16 in flight, serializable and linearizable gets, 1k-key ranges, and a
    /// second of puts at 1k/s watched on the next member (without it the watch test measured StateStore compiling its
    /// watch path: p99 26 -> 14 -> 12 ms in three runs back to back on one cluster, WAL on tmpfs).
    /// </summary>
    private static async Task WarmUpAsync(Endpoints endpoints, CancellationToken ct)
    {
        for (var member = 0; member < endpoints.Count; member++)
        {
            await Workloads.PutAsync(endpoints, member, 1500, 16, 256, ct);
            await Workloads.GetAsync(endpoints, member, 3000, 64, serializable: true, ct);
            await Workloads.GetAsync(endpoints, member, 2000, 64, serializable: false, ct);
            await Workloads.RangeAsync(endpoints, member, 1000, 20, ct, load: member == 0);
            await Workloads.WatchLatencyAsync(endpoints, 1000, TimeSpan.FromSeconds(1), ct, putMember: member);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>The median with the spread (min–max) of the rounds.</summary>
    private static string Show(IEnumerable<double> values)
    {
        var all = values.ToArray();
        return $"{Median(all):F1} ({all.Min():F1}–{all.Max():F1})";
    }
}
