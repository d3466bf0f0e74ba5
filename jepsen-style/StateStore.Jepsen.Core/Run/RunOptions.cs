using StateStore.Jepsen.Core.Nemesis;
using StateStore.Jepsen.Core.Traffic;

namespace StateStore.Jepsen.Core.Run;

/// <summary>One run: the cluster, the traffic, the faults and where the report goes.</summary>
public sealed record RunOptions
{
    /// <summary>The run folder: report files, plus the members' logs (logs/) and data (data/, removed after a passing run unless kept).</summary>
    public required string Folder { get; init; }

    public int ClusterSize { get; init; } = 3;

    public IReadOnlyList<INemesis> Nemeses { get; init; } = NemesisSchedule.All();

    /// <summary>How long each fault is held before it is healed.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>The fault-free gap before each fault.</summary>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Null: each nemesis once in turn (short mode). Set: random nemeses until it is spent (long mode).</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Traffic before the first fault's quiet gap and after the last fault.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(3);

    public TrafficOptions Traffic { get; init; } = new();

    /// <summary>What the clients and watchers do: registers through the etcd API, or Pods through the Kubernetes API.</summary>
    public Workload Workload { get; init; }

    /// <summary>The etcd key prefix the workload's keys live under (the committed history and final states are read there).</summary>
    public string Prefix => Workload switch { Workload.Kubernetes => KubeObjects.Prefix, Workload.Txn => TxnClient.Prefix, Workload.Leases => LeaseClient.Prefix, _ => Traffic.Prefix };

    /// <summary>Watchers of the workload's prefix, watcher i starting on member i.</summary>
    public int Watchers { get; init; } = 2;

    /// <summary>Bugs the client-side broken store pretends the server has (validation of the validators).</summary>
    public InjectedBug Bugs { get; init; }

    /// <summary>Bugs the real server processes commit on purpose (validation of the validators).</summary>
    public ServerBug ServerBugs { get; init; }

    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>Keep the members' data folders even when the run passes.</summary>
    public bool KeepData { get; init; }

    /// <summary>How long a member a nemesis restarts or resumes may take to be ready; null: each nemesis's own (45-120 s).</summary>
    public TimeSpan? ReadyTimeout { get; init; }

    /// <summary>Generous for a loaded 2-core machine: how long members may take to converge, and watchers to catch up, at the end.</summary>
    public TimeSpan CatchUp { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Raft timing of every member; the defaults are the integration tests'.</summary>
    public int HeartbeatIntervalMs { get; init; } = 100;

    public int ElectionTimeoutMs { get; init; } = 1000;

    public string Describe() =>
        $"{ClusterSize} members, {Traffic.Clients} {Workload switch { Workload.Kubernetes => "Kubernetes clients (Pods through the API server)", Workload.Txn => "multi-key Txn clients", Workload.Leases => "lease clients", _ => "clients" }} on {Traffic.Keys} keys, {Watchers} watchers, nemeses "
        + (Nemeses.Count == 0 ? "none" : string.Join(",", Nemeses.Select(n => n.Name)))
        + (TimeLimit is { } limit ? $" at random for {limit.TotalSeconds:F0} s" : " once each")
        + $", hold {Hold.TotalSeconds:F0} s, seed {Seed}" + (Bugs == InjectedBug.None ? "" : $", injected bugs: {Bugs}")
        + (ServerBugs == ServerBug.None ? "" : $", server bugs: {Run.ServerBugs.ToVariable(ServerBugs)}");
}

/// <summary>The traffic of a run.</summary>
public enum Workload
{
    /// <summary>Register clients (read, put, compare-and-set through Txn) and watchers, through the etcd API.</summary>
    Registers,

    /// <summary>Kubernetes clients (GET, create, PUT, PUT with resourceVersion, DELETE, DELETE with a resourceVersion precondition) and list+watch reflectors, through the API server.</summary>
    Kubernetes,

    /// <summary>Multi-key Txns (compares and puts over a few keys, read-only snapshots of them all) and watchers, through the etcd API.</summary>
    Txn,

    /// <summary>Leases granted, keys put with them and read, leases revoked (with a KeepAlive after each put), and watchers, through the etcd API.</summary>
    Leases,
}
