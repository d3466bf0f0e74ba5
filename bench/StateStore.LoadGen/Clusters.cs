using System.Diagnostics;

namespace StateStore.LoadGen;

/// <summary>
/// A 3-member cluster of real processes on loopback: real etcd, or StateStore — same flags, same timings.
/// Member i listens for clients on basePort + i, for peers on basePort + 10 + i (StateStore's API on
/// basePort + 20 + i); its data folder is WORK/SYSTEM-BASEPORT-NAME, its output beside it.
/// </summary>
internal sealed partial class LocalCluster : IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly List<ProcessStartInfo> _starts = [];
    private readonly List<string> _names = [];
    private readonly List<string> _clientUrls = [];
    private readonly string _statestoreDll;
    private readonly string _workDirectory;
    private readonly int _basePort;

    private LocalCluster(string system, string statestoreDll, string workDirectory, int basePort)
    {
        System = system;
        _statestoreDll = statestoreDll;
        _workDirectory = workDirectory;
        _basePort = basePort;
    }

    public string System { get; }

    public IReadOnlyList<string> ClientUrls => _clientUrls;

    public IReadOnlyList<Process> Processes => _processes;

    public static async Task<LocalCluster> StartAsync(string system, string statestoreDll, string workDirectory, int basePort, CancellationToken ct)
    {
        var cluster = new LocalCluster(system, statestoreDll, workDirectory, basePort);
        Directory.CreateDirectory(workDirectory);
        string[] names = ["m1", "m2", "m3"];
        var initial = string.Join(",", names.Select((n, i) => $"{n}={cluster.PeerUrl(i)}"));
        foreach (var name in names)
        {
            cluster.Launch(name, initial, "new");
        }
        using var endpoints = new Endpoints(cluster.ClientUrls);
        for (var attempt = 0; ; attempt++)
        {
            if ((await endpoints.FindLeaderAsync(ct)).Leader >= 0)
            {
                return cluster;
            }
            if (attempt > 100)
            {
                cluster.Dispose();
                throw new TimeoutException($"{system} elected no leader (member output in {workDirectory})");
            }
            await Task.Delay(200, ct);
        }
    }

    public string PeerUrl(int i) => $"http://127.0.0.1:{_basePort + 10 + i}";

    public string DataDirectory(int i) => Path.Combine(_workDirectory, $"{System}-{_basePort}-{_names[i]}");

    /// <summary>What member <paramref name="i"/> has written to stdout and stderr (and, for etcd, its log file).</summary>
    public string Output(int i) =>
        string.Concat(new[] { ".out", ".log" }.Select(ext => DataDirectory(i) + ext).Where(File.Exists).Select(File.ReadAllText));

    /// <summary>Starts the next member (index = members so far) as <paramref name="name"/>, founding (new) or joining (existing).</summary>
    private void Launch(string name, string initialCluster, string state)
    {
        var i = _names.Count;
        _names.Add(name);
        _clientUrls.Add($"http://127.0.0.1:{_basePort + i}");
        var data = DataDirectory(i);
        var common = $"--name {name} --data-dir {data} --listen-client-urls {_clientUrls[i]} --listen-peer-urls {PeerUrl(i)} --initial-cluster {initialCluster} --initial-cluster-state {state} --heartbeat-interval 100 --election-timeout 1000";
        var start = System == "etcd"
            ? new ProcessStartInfo("etcd", $"{common} --advertise-client-urls {_clientUrls[i]} --initial-advertise-peer-urls {PeerUrl(i)} --logger zap --log-outputs {data}.log")
            : new ProcessStartInfo("dotnet", $"{_statestoreDll} server {common} --listen-api-urls http://127.0.0.1:{_basePort + 20 + i}");
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        _starts.Add(start);
        _processes.Add(Run(start, data));
    }

    /// <summary>Starts member <paramref name="i"/> again from its data folder with the same flags (it must have exited).</summary>
    public void Restart(int i)
    {
        _processes[i].Dispose();
        _processes[i] = Run(_starts[i], DataDirectory(i));
    }

    private static Process Run(ProcessStartInfo start, string data)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {start.FileName}");
        var log = TextWriter.Synchronized(new StreamWriter($"{data}.out", append: true) { AutoFlush = true });
        process.OutputDataReceived += (_, line) => log.WriteLine(line.Data);
        process.ErrorDataReceived += (_, line) => log.WriteLine(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public Dictionary<string, int> Pids() => ClientUrls.Select((u, i) => (u, _processes[i].Id)).ToDictionary(p => p.u, p => p.Id);

    /// <summary>
    /// CPU seconds used by the members so far, and the largest peak RSS (MiB) among them. A member that has exited (the
    /// failover test kills the leader) counts with what it had used when last seen here.
    /// </summary>
    public (double CpuSeconds, long PeakRssMib) Usage()
    {
        long peak = 0;
        for (var i = 0; i < _processes.Count; i++)
        {
            var process = _processes[i];
            try
            {
                if (process.HasExited)
                {
                    continue;
                }
                process.Refresh();
                _lastCpuSeconds[i] = process.TotalProcessorTime.TotalSeconds;
                peak = Math.Max(peak, process.PeakWorkingSet64 / (1024 * 1024));
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the read.
            }
        }
        return (_lastCpuSeconds.Values.Sum(), peak);
    }

    private readonly Dictionary<int, double> _lastCpuSeconds = [];

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
    }
}
