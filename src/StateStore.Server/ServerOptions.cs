using System.Net;
using StateStore.Raft;
using StateStore.Raft.StateMachine;

namespace StateStore.Server;

/// <summary>
/// A member's settings, named after etcd's flags. The defaults run one member on 127.0.0.1 with its
/// data in ./default.statestore — the embedded single-member control plane.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>--name</summary>
    public string Name { get; init; } = "default";

    /// <summary>--data-dir</summary>
    public string DataDirectory { get; init; } = "default.statestore";

    /// <summary>--listen-client-urls: the etcd gRPC API (cleartext HTTP/2).</summary>
    public IReadOnlyList<Uri> ListenClientUrls { get; init; } = [new("http://127.0.0.1:2379")];

    /// <summary>--advertise-client-urls: where other members and clients reach this one (default: the first listen URL).</summary>
    public Uri? AdvertiseClientUrl { get; init; }

    /// <summary>--listen-peer-urls: Raft over TCP.</summary>
    public Uri ListenPeerUrl { get; init; } = new("http://127.0.0.1:2380");

    /// <summary>
    /// --initial-advertise-peer-urls: where the other members reach this one, when not where it listens (behind a proxy
    /// or a NAT); the member's identity in the cluster. Default: the listen URL.
    /// </summary>
    public Uri? AdvertisePeerUrl { get; init; }

    /// <summary>--listen-api-urls: the Kubernetes API (HTTP/1.1); serves /healthz, /readyz, /livez.</summary>
    public IReadOnlyList<Uri> ListenApiUrls { get; init; } = [new("http://127.0.0.1:8080")];

    /// <summary>--initial-cluster: name=peer-url pairs; default: this member alone.</summary>
    public IReadOnlyList<(string Name, IPEndPoint Peer)>? InitialCluster { get; init; }

    /// <summary>--initial-cluster-state existing: join a running cluster.</summary>
    public bool JoinExisting { get; init; }

    /// <summary>--heartbeat-interval (ms).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>--election-timeout (ms).</summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>--quota-backend-bytes: data size at which the NOSPACE alarm is raised.</summary>
    public long QuotaBackendBytes { get; init; } = Kv.Quota.DefaultBytes;

    /// <summary>--snapshot-count: applied entries between snapshots.</summary>
    public long SnapshotCount { get; init; } = SnapshotPolicy.Default.EveryEntries;

    /// <summary>--snapshot-catchup-entries: entries kept in the log past a snapshot for slow followers.</summary>
    public long SnapshotCatchUpEntries { get; init; } = SnapshotPolicy.Default.RetainedEntries;

    /// <summary>The peer address the cluster knows this member by (advertised).</summary>
    public IPEndPoint PeerEndPoint => Endpoints.Parse(AdvertisePeerUrl ?? ListenPeerUrl);

    /// <summary>The peer address this member listens on.</summary>
    public IPEndPoint ListenPeerEndPoint => Endpoints.Parse(ListenPeerUrl);

    public Uri ClientUrlToAdvertise => AdvertiseClientUrl ?? ListenClientUrls[0];

    public IReadOnlyList<(string Name, IPEndPoint Peer)> Cluster => InitialCluster ?? [(Name, PeerEndPoint)];
}
