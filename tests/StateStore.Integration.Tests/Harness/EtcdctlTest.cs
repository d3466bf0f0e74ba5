using System.Runtime.CompilerServices;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// The frame of an etcdctl test on a shared <see cref="EtcdctlCluster"/>: a key prefix of its own (the cluster
/// outlives the test), a deadline, and on failure the members' log tails in the test output.
/// </summary>
public abstract class EtcdctlTest(EtcdctlCluster fixture, ITestOutputHelper output, TimeSpan? timeout = null) : IDisposable
{
    private readonly CancellationTokenSource _deadline = new(timeout ?? TimeSpan.FromSeconds(90));

    protected ITestOutputHelper Output { get; } = output;

    protected EtcdctlCluster Fixture { get; } = fixture;

    protected ProcessCluster Cluster => Fixture.Cluster;

    protected Etcdctl Etcdctl => Fixture.Etcdctl;

    protected CancellationToken Timeout => _deadline.Token;

    /// <summary>A prefix no other test writes under, so that exact keys, counts and revisions are this test's own.</summary>
    protected string Prefix { get; } = $"/t{Guid.NewGuid().ToString("N")[..8]}/";

    /// <summary><see cref="Prefix"/> + <paramref name="name"/>.</summary>
    protected string Key(string name) => Prefix + name;

    /// <summary>Puts through etcdctl (<c>put -w json</c>) and returns the revision of the put.</summary>
    protected async Task<long> PutAsync(string key, string value) =>
        (await Etcdctl.SucceedsAsync($"put {key} {value} -w json", Timeout)).Json.Revision();

    /// <summary>Runs the test body; when it fails, keeps the cluster's logs and shows where they are and how each member's ends.</summary>
    protected async Task RunAsync(Func<Task> body, [CallerMemberName] string test = "")
    {
        try
        {
            await body();
        }
        catch
        {
            Fixture.KeepLogs = true;
            Output.WriteLine($"{test} failed; logs of the shared cluster kept in {Fixture.LogFolder}");
            foreach (var member in Cluster.Members)
            {
                Output.WriteLine($"---- {member.Name} ({(member.IsRunning ? "running" : member.DescribeExit())}), last 30 lines");
                Output.WriteLine(ServerProcess.Tail(member.CurrentRunLog(), 30));
            }
            throw;
        }
    }

    public void Dispose()
    {
        _deadline.Dispose();
        GC.SuppressFinalize(this);
    }
}
