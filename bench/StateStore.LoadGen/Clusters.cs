using System.Diagnostics;
using System.Net.Sockets;

namespace StateStore.LoadGen;

/// <summary>A 3-member cluster of real processes on loopback: real etcd, or StateStore — same flags, same timings.</summary>
internal sealed class LocalCluster : IDisposable
{
    private readonly List<Process> _processes = [];

    private LocalCluster(string system, string[] clientUrls)
    {
        System = system;
        ClientUrls = clientUrls;
    }

    public string System { get; }

    public string[] ClientUrls { get; }

    public IReadOnlyList<Process> Processes => _processes;

    public static async Task<LocalCluster> StartAsync(string system, string statestoreDll, string workDirectory, int basePort, CancellationToken ct)
    {
        var names = new[] { "m1", "m2", "m3" };
        var clients = names.Select((_, i) => $"http://127.0.0.1:{basePort + i}").ToArray();
        var peers = names.Select((_, i) => $"http://127.0.0.1:{basePort + 10 + i}").ToArray();
        var initial = string.Join(",", names.Select((n, i) => $"{n}={peers[i]}"));
        var cluster = new LocalCluster(system, clients);
        Directory.CreateDirectory(workDirectory);
        for (var i = 0; i < names.Length; i++)
        {
            var data = Path.Combine(workDirectory, $"{system}-{basePort}-{names[i]}");
            var common = $"--name {names[i]} --data-dir {data} --listen-client-urls {clients[i]} --listen-peer-urls {peers[i]} --initial-cluster {initial} --heartbeat-interval 100 --election-timeout 1000";
            var start = system == "etcd"
                ? new ProcessStartInfo("etcd", $"{common} --advertise-client-urls {clients[i]} --initial-advertise-peer-urls {peers[i]} --initial-cluster-state new --logger zap --log-outputs {data}.log")
                : new ProcessStartInfo("dotnet", $"{statestoreDll} server {common} --listen-api-urls http://127.0.0.1:{basePort + 20 + i}");
            start.RedirectStandardOutput = start.RedirectStandardError = true;
            var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {system}");
            var log = TextWriter.Synchronized(new StreamWriter($"{data}.out", append: true) { AutoFlush = true });
            process.OutputDataReceived += (_, line) => log.WriteLine(line.Data);
            process.ErrorDataReceived += (_, line) => log.WriteLine(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            cluster._processes.Add(process);
        }
        using var endpoints = new Endpoints(clients);
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

    public Dictionary<string, int> Pids() => ClientUrls.Select((u, i) => (u, _processes[i].Id)).ToDictionary(p => p.u, p => p.Id);

    /// <summary>CPU seconds used by the members so far, and the largest peak RSS (MiB) among them.</summary>
    public (double CpuSeconds, long PeakRssMib) Usage()
    {
        double cpu = 0;
        long peak = 0;
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            process.Refresh();
            cpu += process.TotalProcessorTime.TotalSeconds;
            peak = Math.Max(peak, process.PeakWorkingSet64 / (1024 * 1024));
        }
        return (cpu, peak);
    }

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
