using StateStore.Jepsen.Core.Nemesis;
using StateStore.Jepsen.Core.Report;
using StateStore.Jepsen.Core.Run;
using StateStore.Jepsen.Core.Traffic;
using StateStore.Jepsen.Core.Validate;

namespace StateStore.Jepsen;

/// <summary>The flags, parsed into the command they ask for.</summary>
internal static class Arguments
{
    public const string Usage = """
        dotnet run -c Release --project jepsen-style/StateStore.Jepsen -- [flags]
          --nemesis NAMES      all (default), none, or a comma list of kill, kill-leader, pause, pause-leader,
                               power-loss, power-loss-leader-last, pause-followers-kill-leader, partition-majority-minority,
                               partition-leader, partition-bridge (partitions need root and network namespaces; skipped,
                               saying why, without), replace-member, crash-before-apply, crash-after-apply,
                               crash-before-wal-append, crash-after-wal-append, crash-during-snapshot-install,
                               crash-during-snapshot-send (crashes at the server's failpoints), slow-links, lossy-links
                               (Raft through a proxy per member; skipped, saying why, with partitions)
          --time-limit SECONDS faults drawn at random until this is spent (long mode); without it each nemesis runs once
          --hold SECONDS       how long each fault is held (default 8)
          --quiet SECONDS      fault-free gap before each fault (default 3)
          --members N          cluster size (default 3)
          --workload NAME      registers (default: read/put/CAS/delete/compare-and-delete through the etcd API) or
                               kubernetes (ConfigMaps through the API server: GET, create, PUT, PUT with resourceVersion,
                               DELETE, DELETE with a resourceVersion precondition; list+watch reflectors) or txn
                               (multi-key etcd Txns: compares and puts over the keys, read-only snapshots of them all) or
                               leases (grant, puts with the lease, KeepAlive, reads, revoke)
          --clients N          register clients (default 4)
          --keys N             keys they share (default 4)
          --watchers N         watchers, watcher i starting on member i (default 2)
          --seed N             nemesis choices
          --out FOLDER         the run folder (default jepsen-style/runs/<time>)
          --keep-data          keep the members' data folders after a passing run
          --inject BUGS        stale-read, drop-watch-event: a client-side broken store, to see the checkers catch it
          --server-bug BUGS    stale-follower-read, drop-watch-event, ack-before-durable, ack-before-commit: servers started with these
                               bugs switched on (STATESTORE_INJECT_BUGS), to see the checkers catch a real broken server
          --check HISTORY      check a recorded history.jsonl for linearizability only (deciding unknown writes
                               from the committed.jsonl beside it, when there is one), and exit
        Exit code 0: passed; 1: a violation; 2: the harness could not run.
        """;

    /// <summary>The command to run, or null for --help.</summary>
    public static Func<Action<string>, CancellationToken, Task<int>>? Parse(string[] args)
    {
        var options = new RunOptions { Folder = Path.Combine("jepsen-style", "runs", DateTime.Now.ToString("yyyyMMdd-HHmmss")) };
        var traffic = new TrafficOptions();
        string? check = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.TryParse(Next(), out var n) && n >= 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a whole number");
            switch (args[i])
            {
                case "--help" or "-h": return null;
                case "--nemesis": options = options with { Nemeses = NemesisSchedule.Parse(Next()) }; break;
                case "--time-limit": options = options with { TimeLimit = TimeSpan.FromSeconds(Int()) }; break;
                case "--hold": options = options with { Hold = TimeSpan.FromSeconds(Int()) }; break;
                case "--quiet": options = options with { Quiet = TimeSpan.FromSeconds(Int()) }; break;
                case "--members": options = options with { ClusterSize = Int() }; break;
                case "--workload": options = options with { Workload = Next() switch { "registers" => Workload.Registers, "kubernetes" => Workload.Kubernetes, "txn" => Workload.Txn, "leases" => Workload.Leases, var w => throw new ArgumentException($"unknown workload '{w}'; known: registers, kubernetes, txn, leases") } }; break;
                case "--clients": traffic = traffic with { Clients = Int() }; break;
                case "--keys": traffic = traffic with { Keys = Int() }; break;
                case "--watchers": options = options with { Watchers = Int() }; break;
                case "--seed": options = options with { Seed = Int() }; break;
                case "--out": options = options with { Folder = Next() }; break;
                case "--keep-data": options = options with { KeepData = true }; break;
                case "--inject": options = options with { Bugs = ParseBugs(Next()) }; break;
                case "--server-bug": options = options with { ServerBugs = ParseServerBugs(Next()) }; break;
                case "--check": check = Next(); break;
                default: throw new ArgumentException($"unknown flag {args[i]}");
            }
        }
        options = options with { Traffic = traffic };
        if (check is not null)
        {
            return async (log, cancellationToken) =>
            {
                var history = await RunReport.ReadHistoryAsync(check, cancellationToken);
                var committed = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(check))!, "committed.jsonl");
                if (File.Exists(committed))
                {
                    history = CommittedPatch.Apply(history, await RunReport.ReadCommittedAsync(committed, cancellationToken));
                }
                var result = LinearizabilityChecker.Check(history);
                foreach (var key in result.Keys)
                {
                    log($"{key.Key}: {key.Outcome} ({key.Ops} ops)" + string.Concat(key.FailingSubHistory.Select(o => "\n    " + o)));
                }
                return result.Violations.Count == 0 && result.GaveUp.Count == 0 ? 0 : 1;
            };
        }
        return async (log, cancellationToken) =>
        {
            var result = await JepsenRun.RunAsync(options, log, cancellationToken);
            log($"report: {Path.GetFullPath(result.Folder)}");
            return result.ExitCode;
        };
    }

    private static InjectedBug ParseBugs(string names) =>
        names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Aggregate(InjectedBug.None, (bugs, name) => bugs | name switch
        {
            "stale-read" => InjectedBug.StaleRead,
            "drop-watch-event" => InjectedBug.DropWatchEvent,
            _ => throw new ArgumentException($"unknown bug '{name}'; known: stale-read, drop-watch-event"),
        });

    private static ServerBug ParseServerBugs(string names) =>
        names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Aggregate(ServerBug.None, (bugs, name) =>
            bugs | (ServerBugs.Parse(name) ?? throw new ArgumentException($"unknown server bug '{name}'; known: {string.Join(", ", ServerBugs.Known)}")));
}
