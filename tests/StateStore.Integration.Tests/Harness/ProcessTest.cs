using System.Runtime.CompilerServices;
using StateStore.Testing;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// The frame of a test that runs server processes: a data folder removed afterwards, a log folder kept
/// when the test fails (its path and the logs' tails go to the test output), a deadline that starts after
/// the executable is built, and every process it started killed at the end.
/// </summary>
public abstract class ProcessTest(ITestOutputHelper output, TimeSpan timeout) : IAsyncLifetime
{
    private static readonly string LogsRoot = Path.Combine(Path.GetTempPath(), "statestore-integration-logs");

    private readonly TempDirectory _data = new("integration");
    private readonly List<IAsyncDisposable> _owned = [];
    private CancellationTokenSource? _deadline;
    private bool _passed;

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Cancelled when the test has run too long.</summary>
    protected CancellationToken Timeout => _deadline!.Token;

    /// <summary>Where this test's member logs go; named after the test by <see cref="RunAsync"/>.</summary>
    protected string LogFolder { get; private set; } = Path.Combine(LogsRoot, $"test-{Guid.NewGuid():N}");

    protected string DataFolder => _data.Path;

    public async Task InitializeAsync()
    {
        // Building the executable (when the tests run alone) is not the test's time.
        await ServerBinary.PathAsync();
        _deadline = new CancellationTokenSource(timeout);
    }

    /// <summary>Runs the test body; when it fails, keeps the logs and shows where they are and how they end.</summary>
    protected async Task RunAsync(Func<Task> body, [CallerMemberName] string test = "")
    {
        LogFolder = Path.Combine(LogsRoot, $"{test}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        try
        {
            await body();
            _passed = true;
        }
        catch
        {
            Output.WriteLine($"Logs kept in {LogFolder}");
            foreach (var log in Directory.Exists(LogFolder) ? Directory.GetFiles(LogFolder, "*.log", SearchOption.AllDirectories).Order().ToList() : [])
            {
                Output.WriteLine($"---- {Path.GetFileName(log)} (last 40 lines)");
                Output.WriteLine(ServerProcess.Tail(await File.ReadAllTextAsync(log), 40));
            }
            throw;
        }
    }

    /// <summary>Starts a cluster in a sub-folder <paramref name="name"/> of the data and log folders; it is killed at the end of the test.</summary>
    protected async Task<ProcessCluster> StartClusterAsync(ClusterOptions? options = null, string name = "cluster")
    {
        var cluster = await ProcessCluster.StartAsync(Path.Combine(DataFolder, name), Path.Combine(LogFolder, name), options ?? new ClusterOptions(), Timeout);
        _owned.Add(cluster);
        return cluster;
    }

    /// <summary>A server process not yet launched, with <paramref name="flags"/> after <c>server</c>; it is killed at the end of the test.</summary>
    protected async Task<ServerProcess> NewServerAsync(MemberConfig config, IReadOnlyList<string> flags, string logName)
    {
        var server = new ServerProcess(config, await ServerBinary.PathAsync(), flags, Path.Combine(LogFolder, $"{logName}.log"));
        _owned.Add(server);
        return server;
    }

    /// <summary>Starts a writer that is stopped at the end of the test if the test has not stopped it.</summary>
    protected Writer StartWriter(IReadOnlyList<ServerProcess> targets, WriterOptions? options = null)
    {
        var writer = Writer.Start(targets, Timeout, options);
        _owned.Add(writer);
        return writer;
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        _data.Dispose();
        if (_passed && Directory.Exists(LogFolder))
        {
            Directory.Delete(LogFolder, recursive: true);
        }
        _deadline?.Dispose();
    }
}
