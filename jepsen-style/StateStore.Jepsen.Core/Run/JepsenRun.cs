using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Nemesis;
using StateStore.Jepsen.Core.Report;
using StateStore.Jepsen.Core.Traffic;
using StateStore.Jepsen.Core.Validate;
using StateStore.Testing;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Run;

/// <summary>
/// The verdict of a run and where its report is; the exit code is 0 only when the run passed. <paramref name="Skipped"/>
/// says which nemeses did not run and why (partitions where network namespaces cannot be made), or is null.
/// </summary>
public sealed record RunResult(Verdict Verdict, string Folder, string? Skipped = null)
{
    public int ExitCode => Verdict.Passed ? 0 : 1;
}

/// <summary>
/// One run end to end: start a cluster of real <c>statestore server</c> processes, start watchers and the
/// register clients, run the nemesis schedule, stop the traffic, heal the cluster, read the committed history
/// and every member's final state, run every checker, write the report.
/// </summary>
public static class JepsenRun
{
    public static async Task<RunResult> RunAsync(RunOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Folder);
        var schedule = new NemesisSchedule(options.Nemeses, options.Hold, options.Quiet, options.TimeLimit);
        log($"run {options.Folder}: {options.Describe()}");
        string? skipped = null;
        if (schedule.NeedsNetwork && MemberNetwork.UnavailableReason is { } reason)
        {
            skipped = $"SKIPPED {string.Join(", ", schedule.Nemeses.Where(n => n.NeedsNetwork).Select(n => n.Name).Distinct())}: {reason}";
            log(skipped);
            schedule = schedule.WithoutNetwork();
        }
        if (schedule.NeedsNetwork && schedule.NeedsProxies)
        {
            var proxied = $"SKIPPED {string.Join(", ", schedule.Nemeses.Where(n => n.NeedsProxies).Select(n => n.Name).Distinct())}: their proxies would carry the links partitions cut";
            skipped = skipped is null ? proxied : $"{skipped}; {proxied}";
            log(proxied);
            schedule = schedule.WithoutProxies();
        }
        using var network = schedule.NeedsNetwork ? MemberNetwork.Create() : null;
        var cluster = await ProcessCluster.StartAsync(Path.Combine(options.Folder, "data"), Path.Combine(options.Folder, "logs"), new ClusterOptions
        {
            Network = network,
            PeerProxies = schedule.NeedsProxies,
            Size = options.ClusterSize,
            Failpoints = NemesisSchedule.JoinFailpoints([schedule.Failpoints, ServerBugs.Failpoints(options.ServerBugs)]),
            InjectBugs = ServerBugs.ToVariable(options.ServerBugs),
            ExtraFlags = schedule.ServerFlags,
            Ports = LoopbackPorts.Jepsen,
            HeartbeatIntervalMs = options.HeartbeatIntervalMs,
            ElectionTimeoutMs = options.ElectionTimeoutMs,
        }, cancellationToken);
        Verdict verdict;
        IReadOnlyList<WatchEvent> committed = [];
        await using (cluster)
        {
            (verdict, committed) = await DriveAsync(cluster, schedule, options, log, cancellationToken);
        }
        await RunReport.WriteAsync(options.Folder, verdict, committed, $"StateStore jepsen-style: {options.Describe()}" + (skipped is null ? "" : $"; {skipped}"), cancellationToken);
        if (verdict.Passed && !options.KeepData)
        {
            Directory.Delete(Path.Combine(options.Folder, "data"), recursive: true);
        }
        log(verdict.Summary() + (skipped is null ? "" : $" ({skipped})"));
        return new RunResult(verdict, options.Folder, skipped);
    }

    private static async Task<(Verdict, IReadOnlyList<WatchEvent>)> DriveAsync(ProcessCluster cluster, NemesisSchedule schedule, RunOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var members = new MemberView(cluster);
        var history = new History();
        var store = new BrokenStore(options.Bugs);
        var violations = new List<Violation>();
        var idle = TimeSpan.FromSeconds(10);
        var kubernetes = options.Workload == Workload.Kubernetes;
        if (kubernetes)
        {
            // Its namespace is written before the initial revision: every later revision is then a workload write.
            await KubeObjects.CreateNamespaceAsync(cluster.Members[0], cancellationToken);
        }
        var initialRevision = await InitialRevisionAsync(cluster, cancellationToken);
        using var stopWatchers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchers = Enumerable.Range(0, options.Watchers).Select(i => kubernetes
            ? (IWatchRecorder)new KubeWatcher($"reflector{i}", members, i % members.Count, history)
            : new Watcher($"watcher{i}", i, members, i % members.Count, options.Prefix, 1, history, store)).ToList();
        var watching = watchers.Select(w => Task.Run(() => w.RunAsync(idle, stopWatchers.Token))).ToList();
        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var leaseKeys = new LeaseKeys();
        var traffic = Enumerable.Range(0, options.Traffic.Clients).Select(i => Task.Run(() => (options.Workload switch
        {
            Workload.Kubernetes => (TrafficClient)new KubeClient(i, members, history, options.Traffic),
            Workload.Txn => new TxnClient(i, members, history, options.Traffic),
            Workload.Leases => new LeaseClient(i, members, history, options.Traffic, leaseKeys),
            _ => new RegisterClient(i, members, history, options.Traffic, store),
        }).RunAsync(stopTraffic.Token))).ToList();

        var windows = new List<NemesisWindow>();
        await Task.Delay(options.Settle, cancellationToken);
        try
        {
            await schedule.RunAsync(new NemesisContext(cluster, new Random(options.Seed), history, log, options.ReadyTimeout, members), windows, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            violations.Add(new Violation("availability", $"a fault could not be healed: {e.Message}"));
        }
        await Task.Delay(options.Settle, cancellationToken);
        await stopTraffic.CancelAsync();
        await Task.WhenAll(traffic);
        log($"traffic stopped: {history.Snapshot().Count} ops");

        var (finalRevision, converged) = await HealAndConvergeAsync(cluster, options, violations, cancellationToken);
        var reference = await ReadCommittedAsync(cluster, options, finalRevision, history, violations, cancellationToken);
        foreach (var (watcher, caughtUp) in watchers.Zip(await Task.WhenAll(watchers.Select(w => w.WaitForRevisionAsync(finalRevision, options.CatchUp, cancellationToken)))))
        {
            if (!caughtUp)
            {
                log($"{watcher.Name} reached only revision {watcher.LastRevision} of {finalRevision}");
            }
        }
        await stopWatchers.CancelAsync();
        foreach (var failed in watching.Where(t => t.IsFaulted))
        {
            violations.Add(new Violation("watch", failed.Exception!.InnerException!.Message));
        }
        await Task.WhenAll(watching.Where(t => !t.IsFaulted));
        foreach (var reflector in watchers.OfType<KubeWatcher>())
        {
            violations.AddRange(reflector.BrokenBookmarks.Take(5).Select(b => new Violation("bookmarkable", $"{reflector.Name} received {b}")));
        }

        var finalStates = new Dictionary<string, IReadOnlyDictionary<string, string?>>();
        foreach (var member in cluster.Members.Where(m => m.IsRunning))
        {
            try
            {
                var held = await ProcessCluster.ReadPrefixAsync(member, options.Prefix, cancellationToken);
                finalStates[member.Name] = held.ToDictionary(kv => kv.Key, kv => ValueOf(options, kv.Value.Value.ToStringUtf8()));
            }
            catch (Grpc.Core.RpcException e)
            {
                // A member that cannot serve even a local read at the end (a diverged one may not) fails the run, not the harness.
                violations.Add(new Violation("final-state", $"{member.Name} did not answer a serializable read of the prefix at the end: {e.StatusCode}: {e.Status.Detail}"));
            }
        }
        var recorded = new Recorded(history.Snapshot(), watchers.Select(w => w.Log()).ToList(), reference, initialRevision, finalRevision, finalStates, windows, converged);
        return (Checks.Validate(recorded, violations), reference);
    }

    /// <summary>
    /// The store's revision before any traffic, from whichever member answers first (a loaded machine may be slow
    /// to), once the members' own start-up writes are done: each member's Kubernetes API writes the four system
    /// namespaces (default, kube-system, kube-public, kube-node-lease) when it starts, and those revisions are not
    /// the workload's.
    /// </summary>
    private static async Task<long> InitialRevisionAsync(ProcessCluster cluster, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await SystemNamespacesWrittenAsync(cluster, cancellationToken) && (await cluster.StatusesAsync(cancellationToken)).FirstOrDefault() is { } status)
            {
                return status.Revision;
            }
            if (attempt == 30)
            {
                throw new TimeoutException("no member answered Status before the workload began");
            }
            await Task.Delay(1000, cancellationToken);
        }
    }

    private static async Task<bool> SystemNamespacesWrittenAsync(ProcessCluster cluster, CancellationToken cancellationToken)
    {
        var prefix = Google.Protobuf.ByteString.CopyFromUtf8("/registry/namespaces/");
        var end = Google.Protobuf.ByteString.CopyFromUtf8("/registry/namespaces0");
        try
        {
            var count = await cluster.Members[0].Kv.RangeAsync(new Etcdserverpb.RangeRequest { Key = prefix, RangeEnd = end, CountOnly = true }, cancellationToken: cancellationToken);
            return count.Count >= 4;
        }
        catch (Grpc.Core.RpcException)
        {
            return false;
        }
    }

    /// <summary>Mends cut links, resumes paused members, restarts dead ones, and waits for every member to hold the same revision and HashKV.</summary>
    private static async Task<(long Revision, string Converged)> HealAndConvergeAsync(ProcessCluster cluster, RunOptions options, List<Violation> violations, CancellationToken cancellationToken)
    {
        cluster.Options.Network?.Heal();
        foreach (var member in cluster.Members)
        {
            try
            {
                if (member.IsPaused)
                {
                    member.Resume();
                }
                if (!member.IsRunning)
                {
                    await member.RestartAsync(cancellationToken);
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                violations.Add(new Violation("availability", $"{member.Name} did not come back at the end: {e.Message}"));
            }
        }
        try
        {
            var converged = await cluster.WaitConvergedAsync(cancellationToken, options.CatchUp);
            return (converged.Revision, $"HashKV {converged.Hash:x8} on all {cluster.Members.Count} members");
        }
        // A loaded machine can also end the wait inside a Status call, as a cancelled RpcException: the same verdict.
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or Grpc.Core.RpcException)
        {
            violations.Add(new Violation("converged", e.Message));
            var statuses = await cluster.StatusesAsync(cancellationToken);
            return (statuses.Select(s => s.Revision).DefaultIfEmpty(0).Max(), "not converged");
        }
    }

    /// <summary>The committed history: every event from revision 1 to <paramref name="finalRevision"/>, through a fresh watch on a healed member.</summary>
    private static async Task<IReadOnlyList<WatchEvent>> ReadCommittedAsync(ProcessCluster cluster, RunOptions options, long finalRevision, History history, List<Violation> violations, CancellationToken cancellationToken)
    {
        IWatchRecorder reader = new Watcher("committed", -1, cluster.Members, 0, options.Prefix, 1, history, store: null, v => ValueOf(options, v));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(() => reader.RunAsync(TimeSpan.FromSeconds(30), stop.Token));
        if (!await reader.WaitForRevisionAsync(finalRevision, options.CatchUp, cancellationToken))
        {
            violations.Add(new Violation("committed-history", $"a watch from revision 1 reached only revision {reader.LastRevision} of {finalRevision} within {options.CatchUp}"));
        }
        await stop.CancelAsync();
        await reading;
        return reader.Log().Events.Select(e => e.Event).ToList();
    }

    /// <summary>What a stored value means to the checks: itself, or a Kubernetes object's jepsen/v annotation.</summary>
    private static string? ValueOf(RunOptions options, string stored) => options.Workload == Workload.Kubernetes ? KubeObjects.ValueOf(stored) : stored;
}
