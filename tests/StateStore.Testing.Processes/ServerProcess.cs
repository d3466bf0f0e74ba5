using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;

namespace StateStore.Testing.Processes;

/// <summary>
/// One real <c>statestore server</c> process: <c>dotnet statestore.dll server FLAGS</c>, its stdout and stderr
/// appended to a log file (every run of the member in one file, each run headed by a line), killed, paused,
/// stopped and restarted from the same data folder with POSIX signals, and reached through etcd gRPC clients
/// on its client URL.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    /// <summary>How a run is marked in the log; the text after it is that run's output.</summary>
    private const string RunHeader = "==== statestore run ";

    /// <summary>The dotnet host running the tests (the SDK says which), so servers run on the same runtime.</summary>
    private static readonly string DotnetHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };

    /// <summary>Every server this test host started and has not seen exit: killed if the host exits first.</summary>
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    private readonly string _binary;
    private readonly IReadOnlyList<string> _launcher;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly object _logLock = new();
    private readonly StreamWriter _log;
    private Process? _process;
    private long _runStart;
    private int _runs;
    private int _disposed;

    /// <summary>Set when this harness signals the process to end, so an exit nobody here asked for is called out.</summary>
    private bool _ended;

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Live.Values)
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        };
    }

    /// <summary>
    /// A member run as <c>dotnet BINARY server ARGUMENTS</c>, through <paramref name="launcher"/> when given (a
    /// command that execs what follows it, such as <c>ip netns exec NS</c>, so the process is still the server).
    /// </summary>
    public ServerProcess(MemberConfig config, string binary, IReadOnlyList<string> arguments, string logFile, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? launcher = null)
    {
        Config = config;
        _binary = binary;
        _launcher = launcher ?? [];
        Arguments = arguments;
        LogFile = logFile;
        _environment = environment ?? new Dictionary<string, string>();
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        _log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        Channel = GrpcChannel.ForAddress(config.ClientUrl, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            MaxReceiveMessageSize = null,
        });
        Kv = new KV.KVClient(Channel);
        Maintenance = new Maintenance.MaintenanceClient(Channel);
        Watch = new Watch.WatchClient(Channel);
    }

    public MemberConfig Config { get; }

    public string Name => Config.Name;

    /// <summary>The flags after <c>server</c>, used by every run.</summary>
    public IReadOnlyList<string> Arguments { get; }

    public string LogFile { get; }

    public GrpcChannel Channel { get; }

    public KV.KVClient Kv { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public Watch.WatchClient Watch { get; }

    /// <summary>The OS process id of the current run.</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException($"{Name} was never started");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>True between <see cref="Pause"/> and <see cref="Resume"/>: the process holds its sockets but answers nothing.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>
    /// The failpoints the current run was launched with beyond the member's own (see <see cref="Launch"/>), or null:
    /// a run armed with a crash failpoint by a nemesis, which a clean relaunch disarms.
    /// </summary>
    public string? RunFailpoints { get; private set; }

    /// <summary>
    /// Launches a run without waiting for it to be ready; <paramref name="extraFlags"/> apply to this run only, and so
    /// do <paramref name="failpoints"/> (added to the member's STATESTORE_FAILPOINTS).
    /// </summary>
    public void Launch(IEnumerable<string>? extraFlags = null, string? failpoints = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running (pid {_process!.Id})");
        }
        _process?.Dispose();
        var info = new ProcessStartInfo(_launcher.Count > 0 ? _launcher[0] : DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Beside the log: whatever the process leaves in its working folder is kept with the log on failure.
            WorkingDirectory = Path.GetDirectoryName(LogFile)!,
        };
        string[] command = _launcher.Count > 0 ? [.. _launcher.Skip(1), DotnetHost, _binary] : [_binary];
        foreach (var argument in (string[])[.. command, "server", .. Arguments, .. extraFlags ?? []])
        {
            info.ArgumentList.Add(argument);
        }
        // Failpoints and injected bugs only where a test asks for them, never inherited from whoever runs the tests.
        info.Environment.Remove("STATESTORE_FAILPOINTS");
        info.Environment.Remove("STATESTORE_INJECT_BUGS");
        foreach (var (name, value) in _environment)
        {
            info.Environment[name] = value;
        }
        if (failpoints is not null)
        {
            info.Environment["STATESTORE_FAILPOINTS"] = _environment.TryGetValue("STATESTORE_FAILPOINTS", out var own) ? $"{own},{failpoints}" : failpoints;
        }
        lock (_logLock)
        {
            _log.WriteLine($"{RunHeader}{++_runs} at {DateTime.UtcNow:HH:mm:ss.fff}: dotnet {string.Join(' ', info.ArgumentList)}");
            _runStart = _log.BaseStream.Position;
        }
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        IsPaused = false;
        _ended = false;
        RunFailpoints = failpoints;
    }

    /// <summary>Launches a run and waits until /readyz answers 200.</summary>
    public async Task StartAsync(CancellationToken cancellationToken, IEnumerable<string>? extraFlags = null)
    {
        Launch(extraFlags);
        await WaitReadyAsync(cancellationToken);
    }

    /// <summary>Starts again from the same data folder with the same flags.</summary>
    public Task RestartAsync(CancellationToken cancellationToken, IEnumerable<string>? extraFlags = null) => StartAsync(cancellationToken, extraFlags);

    /// <summary>
    /// Polls GET /readyz on the API URL until it answers 200 (a linearizable read succeeds there). Fails
    /// at once, with the log, if the process exits first.
    /// </summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(45));
        var last = "no answer yet";
        while (!deadline.IsCancellationRequested)
        {
            if (!IsRunning)
            {
                throw new InvalidOperationException($"{Name} {DescribeExit()} before it was ready:\n{Tail(CurrentRunLog(), 30)}");
            }
            try
            {
                using var response = await Http.GetAsync($"{Config.ApiUrl}/readyz", deadline.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(deadline.Token)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                last = "/readyz did not answer within 3 s";
            }
            catch (OperationCanceledException)
            {
                break;
            }
            await Task.Delay(100, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException($"{Name} not ready ({last}):\n{Tail(CurrentRunLog(), 30)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (IsRunning)
        {
            // A stopped process still dies of SIGKILL; CONT first only so its exit is reaped promptly.
            if (IsPaused)
            {
                Resume();
            }
            await KillAsync();
        }
        _process?.Dispose();
        Channel.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }
}
