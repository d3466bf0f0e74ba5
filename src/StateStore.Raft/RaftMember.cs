using System.Net;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using StateStore.Kv;
using StateStore.Raft.Forwarding;
using StateStore.Raft.Membership;
using StateStore.Raft.StateMachine;
using StateStore.Raft.Transport;
using StateStore.Raft.Wal;

namespace StateStore.Raft;

/// <summary>
/// One control-plane member: the MVCC store behind a Raft state machine, DotNext's write-ahead log
/// (made durable before followers acknowledge) and a RaftCluster over TCP, with the replicated
/// <see cref="IKvStore"/> on top.
/// </summary>
public sealed class RaftMember : IAsyncDisposable
{
    private readonly RaftCluster _cluster;
    private readonly DurableWriteAheadLog _wal;
    private readonly KvStateMachine _machine;
    private readonly EndPointConfigurationStorage _configuration;
    private readonly PeerConnections? _peers;
    private readonly MemberInfo _info;
    private readonly MemberPaths _paths;
    private readonly ILogger _logger;
    private int _disposed;

    private RaftMember(RaftCluster cluster, DurableWriteAheadLog wal, KvStateMachine machine, EndPointConfigurationStorage configuration,
        PeerConnections? peers, MemberInfo info, MemberPaths paths, ReplicatedKvStore store, ILogger logger)
    {
        _peers = peers;
        _cluster = cluster;
        _wal = wal;
        _machine = machine;
        _configuration = configuration;
        _info = info;
        _paths = paths;
        Store = store;
        _logger = logger;
        _cluster.LeaderChanged += OnLeaderChanged;
        _machine.Fatal += error => Fatal?.Invoke(error);
    }

    /// <summary>The replicated store clients use.</summary>
    public ReplicatedKvStore Store { get; }

    public string Name => _info.Name;

    public ulong MemberId => _info.MemberId;

    public ulong ClusterId => _info.ClusterId;

    /// <summary>Snapshots received from a leader and installed since this member started.</summary>
    public int SnapshotsInstalled => _machine.SnapshotsInstalled;

    /// <summary>Leaders this member has learned of since it started (etcd_server_leader_changes_seen_total).</summary>
    public int LeaderChangesSeen => Volatile.Read(ref _leaderChangesSeen);

    private int _leaderChangesSeen;

    /// <summary>The WAL's commit index.</summary>
    public long CommittedIndex => _wal.LastCommittedEntryIndex;

    /// <summary>True while this member leads.</summary>
    public bool IsLeader => _cluster.Leader is { IsRemote: false };

    /// <summary>Raised when the member hit damage it cannot go on from; the host should stop.</summary>
    public event Action<Exception>? Fatal;

    /// <summary>Opens (or creates) the member's data folder and joins the cluster.</summary>
    public static async Task<RaftMember> StartAsync(RaftMemberOptions options, IProposalForwarder forwarder, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("StateStore.Raft");
        var paths = new MemberPaths(options.DataDirectory);
        Directory.CreateDirectory(paths.Root);
        var clusterId = options.JoinExisting ? 0 : MemberInfo.ClusterIdOf(options.InitialCluster);
        var info = MemberInfo.LoadOrCreate(paths.Identity, options.Name, options.PeerEndPoint, clusterId);

        // The state machine restores its store first: the WAL reads its snapshot index when constructed.
        var machine = new KvStateMachine(paths, options.Store, options.Snapshots, logger) { SlowWalFlush = options.SlowWalFlush, SlowFollowerWalFlush = options.SlowFollowerWalFlush, DropWatchEvent = options.DropWatchEvent };
        DurableWriteAheadLog? wal = null;
        EndPointConfigurationStorage? configuration = null;
        PeerConnections? peers = null;
        try
        {
            wal = new DurableWriteAheadLog(new WriteAheadLog.Options
            {
                Location = paths.Wal,
                ChunkSize = WalChunkSize.Resolve(paths.Wal),
                // Every entry carries a hash, so a damaged log is refused at start rather than replayed.
                HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.XxHash3,
                MemoryManagement = options.PrivateWalMemory ? WriteAheadLog.MemoryManagementStrategy.PrivateMemory : WriteAheadLog.MemoryManagementStrategy.SharedMemory,
            }, machine) { SkipFollowerFlush = options.SkipFollowerFlush };
            configuration = await EndPointConfigurationStorage.OpenAsync(
                paths.Members, options.JoinExisting ? null : options.InitialCluster.Select(m => (EndPoint)m.Peer), cancellationToken).ConfigureAwait(false);
            peers = PeerTransport(options, loggers);
            var election = (int)options.ElectionTimeout.TotalMilliseconds;
            var config = new RaftCluster.CustomTransportConfiguration(options.ListenPeerEndPoint ?? options.PeerEndPoint, PeerConnections.Listener(loggers), peers)
            {
                PublicEndPoint = options.PeerEndPoint,
                ConfigurationStorage = configuration,
                LowerElectionTimeout = election,
                UpperElectionTimeout = election * 2,
                HeartbeatThreshold = Math.Clamp(options.HeartbeatInterval / options.ElectionTimeout, 0.01, 0.5),
                // One request may carry a whole snapshot that the follower installs before it answers (unpack,
                // swap, reopen the store): DotNext's default (the election timeout) cut such installs off and the
                // follower never caught up. Elections do not wait for it: PeerConnections ends a silent peer's
                // vote well before.
                RequestTimeout = TimeSpan.FromSeconds(Math.Max(30, 2 * election / 1000.0)),
                ConnectTimeout = options.ElectionTimeout / 2,
                ColdStart = false,
                AggressiveLeaderStickiness = true,
                LoggerFactory = loggers,
            };
            config.Metadata[MemberMetadata.Name] = info.Name;
            config.Metadata[MemberMetadata.ClientUrl] = options.AdvertiseClientUrl.ToString();
            config.Metadata[MemberMetadata.ClusterId] = info.ClusterId.ToString("x16");
            var cluster = new RaftCluster(config) { AuditTrail = wal };
            machine.IsFollowing = () => cluster.Leader is { IsRemote: true };
            peers.Leading = () => cluster.Leader is { IsRemote: false };
            var store = new ReplicatedKvStore(cluster, machine, forwarder, info, options.AdvertiseClientUrl, options.RequestTimeout, logger)
            {
                QuotaBackendBytes = options.QuotaBackendBytes,
                StaleFollowerRead = options.StaleFollowerRead,
                AckBeforeCommit = options.AckBeforeCommit,
            };
            var member = new RaftMember(cluster, wal, machine, configuration, peers, info, paths, store, logger);
            await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
            return member;
        }
        catch
        {
            if (wal is not null)
            {
                await wal.DisposeAsync().ConfigureAwait(false);
            }
            configuration?.Dispose();
            peers?.Dispose();
            machine.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connections to peers whose connects and (while not leading) unanswered requests end within the election
    /// timeout: see <see cref="PeerConnections"/> for the DotNext behaviour this works around.
    /// The leader's bound is at least 2 s whatever the election timeout: a follower answers AppendEntries after its
    /// fsync, and a slow disk must not make the leader count a live majority silent and step down.
    /// </summary>
    private static PeerConnections PeerTransport(RaftMemberOptions options, ILoggerFactory loggers) =>
        new(connectTimeout: options.ElectionTimeout / 4, answerTimeout: options.ElectionTimeout / 2,
            leaderAnswerTimeout: TimeSpan.FromTicks(Math.Max((options.ElectionTimeout * 2).Ticks, TimeSpan.FromSeconds(2).Ticks)), loggers);

    /// <summary>Waits until some member leads (this one or another).</summary>
    public async Task<bool> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _cluster.WaitForLeaderAsync(timeout, cancellationToken).ConfigureAwait(false) is not null;

    private void OnLeaderChanged(RaftCluster<RaftClusterMember> cluster, RaftClusterMember? leader)
    {
        Store.ObserveLeader(leader);
        Log.LeaderChanged(_logger, leader?.EndPoint.ToString() ?? "none", cluster.Term);
        if (leader is not null)
        {
            Interlocked.Increment(ref _leaderChangesSeen);
            Store.ObserveMembership();
        }
        if (leader is { IsRemote: true } && _info.ClusterId == 0)
        {
            _ = LearnClusterIdAsync(leader);
        }
    }

    private async Task LearnClusterIdAsync(RaftClusterMember leader)
    {
        try
        {
            var metadata = await leader.GetMetadataAsync(false, CancellationToken.None).ConfigureAwait(false);
            if (metadata.TryGetValue(MemberMetadata.ClusterId, out var text) && ulong.TryParse(text, System.Globalization.NumberStyles.HexNumber, null, out var id))
            {
                _info.LearnClusterId(id, _paths.Identity);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or DotNext.Net.Cluster.MemberUnavailableException)
        {
            // Learned on the next leader change.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _cluster.LeaderChanged -= OnLeaderChanged;
        Store.Stop();
        try
        {
            await _cluster.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
            await _wal.DisposeAsync().ConfigureAwait(false);
            _configuration.Dispose();
            _peers?.Dispose();
            _machine.Dispose();
        }
    }
}
