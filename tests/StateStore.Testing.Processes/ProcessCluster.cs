using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;
using StateStore.Testing;

namespace StateStore.Testing.Processes;

/// <summary>How a <see cref="ProcessCluster"/> runs: size, Raft timing, extra flags and failpoints for every member.</summary>
public sealed record ClusterOptions
{
    public int Size { get; init; } = 3;

    public int HeartbeatIntervalMs { get; init; } = 100;

    public int ElectionTimeoutMs { get; init; } = 1000;

    /// <summary>More flags for every member (e.g. --snapshot-count).</summary>
    public IReadOnlyList<string> ExtraFlags { get; init; } = [];

    /// <summary>STATESTORE_FAILPOINTS for every member; null for none.</summary>
    public string? Failpoints { get; init; }

    /// <summary>
    /// STATESTORE_INJECT_BUGS for every member (bugs the server commits on purpose, for validating a checker); null
    /// for none. The server honours it only with the failpoint inject-bugs, which is then added.
    /// </summary>
    public string? InjectBugs { get; init; }

    /// <summary>The block members draw their ports from; the integration tests' block when null.</summary>
    public LoopbackPorts? Ports { get; init; }

    /// <summary>Run each member in a network namespace of its own on this network (so links can be cut); loopback when null.</summary>
    public MemberNetwork? Network { get; init; }

    /// <summary>Put a <see cref="PeerProxy"/> in front of each member's Raft port (so links can be slowed or made lossy).</summary>
    public bool PeerProxies { get; init; }
}

/// <summary>What one member reported: its id, the leader it knows, its revision and Raft position.</summary>
public sealed record MemberStatus(string Name, ulong MemberId, ulong Leader, long Revision, ulong RaftIndex, ulong RaftAppliedIndex)
{
    public override string ToString() => $"{Name}: id {MemberId:x16}, leader {Leader:x16}, revision {Revision}, raft index {RaftIndex}, applied {RaftAppliedIndex}";
}

/// <summary>The revision every member reached and the HashKV hash they all report at it.</summary>
public sealed record Converged(long Revision, uint Hash);

/// <summary>
/// A cluster of real server processes founded together with --initial-cluster, each member in its own
/// folder under the test's data root and logging to its own file. Members are found and compared
/// through etcd's Maintenance API (Status, HashKV), as an operator would.
/// </summary>
public sealed partial class ProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The current members; changed by <see cref="AddMemberAsync"/> and <see cref="RemoveMemberAsync"/>.</summary>
    private readonly List<ServerProcess> _members;

    /// <summary>Every process this cluster started, removed members included: all are killed on dispose.</summary>
    private readonly List<ServerProcess> _started;

    private readonly Func<MemberConfig, string, IReadOnlyList<string>, ServerProcess> _newMember;

    /// <summary>Each member's proxy by name, when <see cref="ClusterOptions.PeerProxies"/>.</summary>
    private readonly Dictionary<string, PeerProxy> _proxies = [];

    private ProcessCluster(List<ServerProcess> members, Func<MemberConfig, string, IReadOnlyList<string>, ServerProcess> newMember, string dataRoot, ClusterOptions options)
    {
        Options = options;
        _members = members;
        _started = [.. members];
        _newMember = newMember;
        DataRoot = dataRoot;
    }

    /// <summary>The members of the cluster now (a removed member is no longer one, even while its process runs).</summary>
    public IReadOnlyList<ServerProcess> Members => _members;

    /// <summary>How the members were started; a member added later is started the same way.</summary>
    public ClusterOptions Options { get; }

    /// <summary>The folder holding each member's data folder.</summary>
    public string DataRoot { get; }

    /// <summary>Starts every member at once and waits until each is ready (a linearizable read succeeds on it).</summary>
    public static async Task<ProcessCluster> StartAsync(string dataRoot, string logRoot, ClusterOptions options, CancellationToken cancellationToken)
    {
        var binary = await ServerBinary.PathAsync();
        var configs = Enumerable.Range(0, options.Size)
            .Select(i => MemberConfig.Allocate($"m{i}", Path.Combine(dataRoot, $"m{i}"), options.Ports, HostOf(options.Network), options.PeerProxies))
            .ToList();
        var initialCluster = string.Join(",", configs.Select(c => $"{c.Name}={c.PeerUrl}"));
        var environment = FailpointEnvironment(options);
        // A member started later (AddMemberAsync) gets the same timing, flags and failpoints as the founders.
        ServerProcess NewMember(MemberConfig c, string initialCluster, IReadOnlyList<string> flags) => new(c, binary,
        [
            .. c.Flags,
            "--initial-cluster", initialCluster,
            "--heartbeat-interval", options.HeartbeatIntervalMs.ToString(),
            "--election-timeout", options.ElectionTimeoutMs.ToString(),
            .. options.ExtraFlags,
            .. flags,
        ], Path.Combine(logRoot, $"{c.Name}.log"), environment, options.Network?.Launcher(options.Network.IndexOf(c.Host)));
        var members = configs.Select(c => NewMember(c, initialCluster, [])).ToList();
        var cluster = new ProcessCluster(members, NewMember, dataRoot, options);
        try
        {
            foreach (var member in members)
            {
                cluster.AddProxy(member.Config);
                member.Launch();
            }
            await cluster.WaitAllReadyAsync(cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>The proxy in front of <paramref name="member"/>'s Raft port, or null when the members run without proxies.</summary>
    public PeerProxy? ProxyOf(ServerProcess member) => _proxies.GetValueOrDefault(member.Name);

    private void AddProxy(MemberConfig config)
    {
        if (config.ListenPeerPort is { } listen)
        {
            var host = System.Net.IPAddress.Parse(config.Host);
            _proxies[config.Name] = new PeerProxy(new(host, config.PeerPort), new(host, listen));
        }
    }

    /// <summary>The address of the next member: loopback, or a new namespace on <paramref name="network"/>.</summary>
    private static string HostOf(MemberNetwork? network) => network is null ? "127.0.0.1" : network.Address(network.Join());

    /// <summary>The variables that switch on the failpoints and injected bugs <paramref name="options"/> names.</summary>
    private static Dictionary<string, string> FailpointEnvironment(ClusterOptions options)
    {
        var failpoints = options.InjectBugs is null ? options.Failpoints : string.Join(",", new[] { options.Failpoints, "inject-bugs" }.OfType<string>());
        var environment = new Dictionary<string, string>();
        if (failpoints is not null)
        {
            environment["STATESTORE_FAILPOINTS"] = failpoints;
        }
        if (options.InjectBugs is { } bugs)
        {
            environment["STATESTORE_INJECT_BUGS"] = bugs;
        }
        return environment;
    }

    /// <summary>Waits until every member is ready.</summary>
    public Task WaitAllReadyAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Members.Select(m => m.WaitReadyAsync(cancellationToken)));

    /// <summary>The member that says it leads (Status: leader == member_id), asking the running, unpaused members.</summary>
    public async Task<ServerProcess> LeaderAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        while (!deadline.IsCancellationRequested)
        {
            foreach (var member in Members.Where(m => m.IsRunning && !m.IsPaused))
            {
                if (await TryStatusAsync(member, deadline.Token) is { } status && status.Leader == status.MemberId && status.MemberId != 0)
                {
                    return member;
                }
            }
            await Task.Delay(100, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException("no member says it leads: " + string.Join("; ", await StatusesAsync(cancellationToken)));
    }

    /// <summary>A running, unpaused member that does not lead.</summary>
    public async Task<ServerProcess> FollowerAsync(CancellationToken cancellationToken)
    {
        var leader = await LeaderAsync(cancellationToken);
        return Members.First(m => m != leader && m.IsRunning && !m.IsPaused);
    }

    /// <summary>Status of every running member that answers within 2 s.</summary>
    public async Task<IReadOnlyList<MemberStatus>> StatusesAsync(CancellationToken cancellationToken)
    {
        var statuses = await Task.WhenAll(Members.Where(m => m.IsRunning).Select(m => TryStatusAsync(m, cancellationToken)));
        return statuses.OfType<MemberStatus>().ToList();
    }

    /// <summary>
    /// Waits until every member (all must run) reports the same revision and the same HashKV hash at it,
    /// and returns them; fails with what each member last said if that does not happen in time.
    /// </summary>
    public async Task<Converged> WaitConvergedAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        var last = "nothing asked yet";
        while (!deadline.IsCancellationRequested)
        {
            if (Members.FirstOrDefault(m => !m.IsRunning) is { } down)
            {
                throw new InvalidOperationException($"{down.Name} {down.DescribeExit()}:\n{ServerProcess.Tail(down.CurrentRunLog(), 30)}");
            }
            try
            {
                var statuses = await Task.WhenAll(Members.Select(m => StatusAsync(m, deadline.Token)));
                last = string.Join("; ", statuses.Select(s => s.ToString()));
                if (statuses.Select(s => s.Revision).Distinct().Count() == 1)
                {
                    var revision = statuses[0].Revision;
                    var hashes = await Task.WhenAll(Members.Select(m => m.Maintenance.HashKVAsync(new HashKVRequest { Revision = revision },
                        deadline: DateTime.UtcNow + CallTimeout, cancellationToken: deadline.Token).ResponseAsync));
                    if (hashes.Select(h => h.Hash).Distinct().Count() == 1)
                    {
                        return new Converged(revision, hashes[0].Hash);
                    }
                    last = $"revision {revision}, hashes " + string.Join(", ", Members.Zip(hashes, (m, h) => $"{m.Name} {h.Hash:x8}"));
                }
            }
            catch (RpcException e) when (!deadline.IsCancellationRequested)
            {
                last = $"{e.StatusCode}: {e.Status.Detail}";
            }
            await Task.Delay(200, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException($"members did not converge within {timeout ?? TimeSpan.FromSeconds(60)}: {last}");
    }

    /// <summary>Every key under <paramref name="prefix"/> as <paramref name="member"/> itself holds it (serializable reads, paged).</summary>
    public static async Task<Dictionary<string, KeyValue>> ReadPrefixAsync(ServerProcess member, string prefix, CancellationToken cancellationToken)
    {
        var end = ByteString.CopyFromUtf8(prefix[..^1] + (char)(prefix[^1] + 1));
        var keys = new Dictionary<string, KeyValue>();
        var from = ByteString.CopyFromUtf8(prefix);
        while (true)
        {
            var page = await member.Kv.RangeAsync(new RangeRequest { Key = from, RangeEnd = end, Limit = 2000, Serializable = true },
                deadline: DateTime.UtcNow + TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
            foreach (var kv in page.Kvs)
            {
                keys[kv.Key.ToStringUtf8()] = kv;
            }
            if (!page.More || page.Kvs.Count == 0)
            {
                return keys;
            }
            from = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]);
        }
    }

    /// <summary>What <paramref name="member"/> says of itself (Maintenance.Status), within 2 s.</summary>
    public static async Task<MemberStatus> StatusAsync(ServerProcess member, CancellationToken cancellationToken)
    {
        var status = await member.Maintenance.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);
        return new MemberStatus(member.Name, status.Header.MemberId, status.Leader, status.Header.Revision, status.RaftIndex, status.RaftAppliedIndex);
    }

    /// <summary>What <paramref name="member"/> says of itself, or null when it does not answer within 2 s.</summary>
    public static async Task<MemberStatus?> TryStatusAsync(ServerProcess member, CancellationToken cancellationToken)
    {
        try
        {
            return await StatusAsync(member, cancellationToken);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _started)
        {
            await member.DisposeAsync();
        }
        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync();
        }
    }
}
