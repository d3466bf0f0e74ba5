using System.Net;
using StateStore.Raft.StateMachine;
using StateStore.Storage;

namespace StateStore.Raft;

/// <summary>How to run one member: etcd's flags, in their typed form.</summary>
public sealed record RaftMemberOptions
{
    /// <summary>etcd's --name.</summary>
    public required string Name { get; init; }

    /// <summary>etcd's --data-dir.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The Raft address the cluster knows this member by (etcd's --initial-advertise-peer-urls, by default its --listen-peer-urls).</summary>
    public required IPEndPoint PeerEndPoint { get; init; }

    /// <summary>Where this member listens for Raft traffic when that is not <see cref="PeerEndPoint"/>, the address it advertises (behind a proxy); null: the same.</summary>
    public IPEndPoint? ListenPeerEndPoint { get; init; }

    /// <summary>The client URL other members forward writes to (etcd's --advertise-client-urls).</summary>
    public required Uri AdvertiseClientUrl { get; init; }

    /// <summary>etcd's --initial-cluster: every founding member's name and peer endpoint.</summary>
    public required IReadOnlyList<(string Name, IPEndPoint Peer)> InitialCluster { get; init; }

    /// <summary>etcd's --initial-cluster-state existing: join a running cluster (after MemberAdd) instead of founding one.</summary>
    public bool JoinExisting { get; init; }

    /// <summary>etcd's --heartbeat-interval (default 100 ms).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>etcd's --election-timeout (default 1000 ms); elections wait a random time in [timeout, 2 × timeout).</summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>How long a request may wait for a leader and a commit.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(7);

    public SnapshotPolicy Snapshots { get; init; } = SnapshotPolicy.Default;

    /// <summary>etcd's --quota-backend-bytes: a write that would take the store past it raises NOSPACE.</summary>
    public long QuotaBackendBytes { get; init; } = Kv.Quota.DefaultBytes;

    /// <summary>
    /// Keep the WAL's unflushed pages in process memory rather than a shared mapping, so that only what a flush
    /// wrote is in the files (the failpoint private-wal-memory sets it for a whole process; tests in one process set it here).
    /// </summary>
    internal bool PrivateWalMemory { get; init; } = Failpoints.PrivateWalMemory;

    /// <summary>Followers answer AppendEntries before flushing (the failpoint skip-follower-flush; tests in one process set it here).</summary>
    internal bool SkipFollowerFlush { get; init; } = Failpoints.SkipFollowerFlush;

    /// <summary>The WAL's background flush sleeps 20 ms per round (the failpoint slow-wal-flush; tests in one process set it here).</summary>
    internal bool SlowWalFlush { get; init; } = Failpoints.SlowWalFlush;

    /// <summary>While following, the WAL's background flush sleeps 500 ms per round (the failpoint slow-follower-wal-flush).</summary>
    internal bool SlowFollowerWalFlush { get; init; } = Failpoints.SlowFollowerWalFlush;

    /// <summary>The injected bug stale-follower-read (see <see cref="Failpoints.StaleFollowerRead"/>).</summary>
    internal bool StaleFollowerRead { get; init; } = Failpoints.StaleFollowerRead;

    /// <summary>The injected bug ack-before-commit (see <see cref="Failpoints.AckBeforeCommit"/>).</summary>
    internal bool AckBeforeCommit { get; init; } = Failpoints.AckBeforeCommit;

    /// <summary>The injected bug drop-watch-event (see <see cref="Failpoints.DropWatchEvent"/>).</summary>
    internal bool DropWatchEvent { get; init; } = Failpoints.DropWatchEvent;

    /// <summary>Memory settings of the store; its DataDirectory is replaced by the member's.</summary>
    public MvccStoreOptions Store { get; init; } = new() { DataDirectory = "." };
}
