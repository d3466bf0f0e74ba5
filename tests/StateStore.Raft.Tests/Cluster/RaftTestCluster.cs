using System.Net;
using StateStore.Raft.StateMachine;
using StateStore.Storage;
using StateStore.Testing;

namespace StateStore.Raft.Tests.Cluster;

/// <summary>
/// N members in this process on loopback: real TCP between them, real HTTP/2 forwarding, each with its
/// own data folder under the test's temp directory.
/// </summary>
public sealed class RaftTestCluster : IAsyncDisposable
{
    private readonly List<TestMember> _members;

    private RaftTestCluster(List<TestMember> members) => _members = members;

    public IReadOnlyList<TestMember> Members => _members;

    /// <summary>The members' watcher queue (deliveries before a watcher catches up from storage).</summary>
    public const int WatcherQueueLimit = 256;

    /// <param name="electionTimeout">
    /// 300 ms unless given (heartbeats every 50 ms), so failover tests are quick; a suite that never stops a leader can
    /// take etcd's 1 s (heartbeats every 100 ms), so a member starved of CPU by the other test assemblies does not
    /// start an election in the middle of a test.
    /// </param>
    public static async Task<RaftTestCluster> StartAsync(int size, string root, CancellationToken cancellationToken, SnapshotPolicy? snapshots = null, bool privateWalMemory = false, bool skipFollowerFlush = false, TimeSpan? electionTimeout = null)
    {
        var peers = Enumerable.Range(0, size).Select(i => (Name: $"m{i}", Peer: new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Raft.Next()))).ToList();
        var members = peers.Select(p => NewMember(p.Name, p.Peer, peers, root, snapshots, join: false, privateWalMemory, skipFollowerFlush, electionTimeout)).ToList();
        var cluster = new RaftTestCluster(members);
        try
        {
            await Task.WhenAll(members.Select(m => m.StartAsync(cancellationToken)));
            await cluster.WaitForLeaderAsync(cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    internal static TestMember NewMember(string name, IPEndPoint peer, IReadOnlyList<(string, IPEndPoint)> cluster, string root, SnapshotPolicy? snapshots, bool join, bool privateWalMemory = false, bool skipFollowerFlush = false, TimeSpan? electionTimeout = null)
    {
        var clientPort = LoopbackPorts.Raft.Next();
        return new TestMember(new RaftMemberOptions
        {
            Name = name,
            DataDirectory = Path.Combine(root, name),
            PeerEndPoint = peer,
            AdvertiseClientUrl = new Uri($"http://127.0.0.1:{clientPort}"),
            InitialCluster = cluster,
            JoinExisting = join,
            HeartbeatInterval = electionTimeout is { } slow ? slow / 10 : TimeSpan.FromMilliseconds(50),
            ElectionTimeout = electionTimeout ?? TimeSpan.FromMilliseconds(300),
            Snapshots = snapshots ?? SnapshotPolicy.Default,
            // A short watcher queue, so the slow-watcher conformance tests overrun it with fewer replicated writes.
            Store = MvccStoreOptions.ForTests(".") with { WatcherQueueLimit = WatcherQueueLimit },
            PrivateWalMemory = privateWalMemory,
            SlowWalFlush = privateWalMemory,
            SkipFollowerFlush = skipFollowerFlush,
        }, clientPort);
    }

    /// <summary>Starts a new member that joins the running cluster (etcd's --initial-cluster-state existing).</summary>
    public async Task<TestMember> StartJoiningMemberAsync(string name, string root, CancellationToken cancellationToken)
    {
        var peer = new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Raft.Next());
        var cluster = _members.Select(m => (m.Options.Name, m.Options.PeerEndPoint)).Append((name, peer)).ToList();
        var member = NewMember(name, peer, cluster, root, _members[0].Options.Snapshots, join: true);
        _members.Add(member);
        await member.StartAsync(cancellationToken);
        return member;
    }

    /// <summary>The running member that leads, once one does.</summary>
    public async Task<TestMember> WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var leader = Members.FirstOrDefault(m => m.Running && m.Member!.IsLeader);
            if (leader is not null)
            {
                return leader;
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>A running member that does not lead.</summary>
    public async Task<TestMember> FollowerAsync(CancellationToken cancellationToken)
    {
        var leader = await WaitForLeaderAsync(cancellationToken);
        return Members.First(m => m.Running && m != leader);
    }

    /// <summary>Waits until every running member has applied up to the same revision and hashes the same.</summary>
    public async Task<uint> WaitConvergedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var statuses = new List<(long Revision, uint Hash)>();
            foreach (var member in Members.Where(m => m.Running))
            {
                var status = await member.Store.StatusAsync(cancellationToken);
                var hash = await member.Store.HashKvAsync(status.Revision, cancellationToken);
                statuses.Add((status.Revision, hash.IsOk ? hash.Value.Hash : 0));
            }
            if (statuses.Distinct().Count() == 1)
            {
                return statuses[0].Hash;
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await member.DisposeAsync();
        }
    }
}
