using StateStore.Kv;
using StateStore.Raft.Tests.Cluster;
using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>The storage conformance bodies, unchanged, against a one-member replicated store.</summary>
public sealed class OneMemberConformanceTests : KvStoreConformanceTests, IDisposable
{
    protected override int SlowWatcherWrites => RaftTestCluster.WatcherQueueLimit * 5;

    private readonly TempDirectory _dir = new("raft1");
    private readonly List<RaftTestCluster> _clusters = [];

    protected override async Task<IKvStore> CreateStoreAsync()
    {
        var cluster = await RaftTestCluster.StartAsync(1, _dir.Sub($"c{_clusters.Count}"), Ct);
        _clusters.Add(cluster);
        return cluster.Members[0].Store;
    }

    protected override async Task DisposeStoreAsync(IKvStore store)
    {
        var cluster = _clusters.Single(c => c.Members.Any(m => m.Running && ReferenceEquals(m.Store, store)));
        await cluster.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// The storage conformance bodies, unchanged, against a follower of a three-member cluster: every
/// write is forwarded to the leader over HTTP/2, every linearizable read passes a read barrier.
/// </summary>
public sealed class ThreeMemberConformanceTests : KvStoreConformanceTests, IDisposable
{
    protected override int SlowWatcherWrites => RaftTestCluster.WatcherQueueLimit * 5;

    private readonly TempDirectory _dir = new("raft3");
    private readonly List<RaftTestCluster> _clusters = [];

    protected override async Task<IKvStore> CreateStoreAsync()
    {
        // No test here stops a leader: etcd's election timeout, so a CPU-starved member does not start an election
        // mid-test (a write then answered "leader changed" in a CI run).
        var cluster = await RaftTestCluster.StartAsync(3, _dir.Sub($"c{_clusters.Count}"), Ct, electionTimeout: TimeSpan.FromSeconds(1));
        _clusters.Add(cluster);
        return (await cluster.FollowerAsync(Ct)).Store;
    }

    protected override async Task DisposeStoreAsync(IKvStore store)
    {
        var cluster = _clusters.Single(c => c.Members.Any(m => m.Running && ReferenceEquals(m.Store, store)));
        await cluster.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();
}
