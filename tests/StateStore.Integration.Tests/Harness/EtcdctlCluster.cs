using StateStore.Testing;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// A cluster of real server processes shared by every etcdctl test of one collection (started once, as starting
/// one takes seconds), with an <see cref="Harness.Etcdctl"/> pointed at all its members. Nothing starts where
/// etcdctl is missing: those tests are skipped anyway. The member logs are kept when a test failed.
/// </summary>
public abstract class EtcdctlCluster(int size) : IAsyncLifetime
{
    private readonly TempDirectory _data = new("etcdctl");
    private ProcessCluster? _cluster;

    public string LogFolder { get; } = Path.Combine(Path.GetTempPath(), "statestore-integration-logs",
        $"etcdctl-{size}-members-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");

    public ProcessCluster Cluster => _cluster ?? throw new InvalidOperationException(Etcdctl.MissingReason);

    /// <summary>etcdctl with every member's client URL as its endpoints.</summary>
    public Etcdctl Etcdctl { get; private set; } = new([]);

    /// <summary>Set by a failing test so that the logs outlive the cluster.</summary>
    public bool KeepLogs { get; set; }

    public async Task InitializeAsync()
    {
        if (Etcdctl.BinaryPath is null)
        {
            return;
        }
        await ServerBinary.PathAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        _cluster = await ProcessCluster.StartAsync(_data.Path, LogFolder, new ClusterOptions { Size = size }, timeout.Token);
        Etcdctl = new Etcdctl(_cluster.Members.Select(m => m.Config.ClientUrl).ToList());
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        _data.Dispose();
        if (!KeepLogs && Directory.Exists(LogFolder))
        {
            Directory.Delete(LogFolder, recursive: true);
        }
    }
}

public sealed class OneMemberEtcdctlCluster() : EtcdctlCluster(1);

public sealed class ThreeMemberEtcdctlCluster() : EtcdctlCluster(3);

/// <summary>The collections that share one cluster each; collections run one after the other (Parallelization.cs).</summary>
public static class EtcdctlCollections
{
    public const string OneMember = "etcdctl against 1 member";
    public const string ThreeMembers = "etcdctl against 3 members";
}

[CollectionDefinition(EtcdctlCollections.OneMember)]
public sealed class OneMemberEtcdctlCollection : ICollectionFixture<OneMemberEtcdctlCluster>;

[CollectionDefinition(EtcdctlCollections.ThreeMembers)]
public sealed class ThreeMemberEtcdctlCollection : ICollectionFixture<ThreeMemberEtcdctlCluster>;
