using System.Diagnostics;
using Etcdserverpb;
using Grpc.Core;

namespace StateStore.LoadGen;

/// <summary>Killing, restarting and adding members, and what each member costs in memory and on disk.</summary>
internal sealed partial class LocalCluster
{
    public int Count => _names.Count;

    public string Name(int i) => _names[i];

    /// <summary>SIGKILL member <paramref name="i"/> and wait until it has exited.</summary>
    public void Kill(int i)
    {
        _processes[i].Kill();
        if (!_processes[i].WaitForExit(10_000))
        {
            throw new TimeoutException($"{System} {_names[i]} did not exit within 10 s of SIGKILL");
        }
    }

    /// <summary>
    /// etcd's way of adding a member: MemberAdd with its peer URL through member <paramref name="via"/>, then start
    /// it with --initial-cluster-state existing and an --initial-cluster naming every member and itself.
    /// etcd refuses MemberAdd ("unhealthy cluster") until every member has been connected for a few seconds,
    /// so a refused add is sent again (for up to a minute). Returns the new member's index and when the
    /// accepted MemberAdd was sent (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    public async Task<(int Index, long AddedAt)> AddMemberAsync(Endpoints endpoints, int via, CancellationToken ct)
    {
        var i = _names.Count;
        var name = $"m{i + 1}";
        var clock = Stopwatch.StartNew();
        long addedAt;
        while (true)
        {
            addedAt = Stopwatch.GetTimestamp();
            try
            {
                await endpoints.Cluster(via).MemberAddAsync(new MemberAddRequest { PeerURLs = { PeerUrl(i) } },
                    deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(500, ct);
            }
        }
        Launch(name, string.Join(",", _names.Append(name).Select((n, k) => $"{n}={PeerUrl(k)}")), "existing");
        return (i, addedAt);
    }

    /// <summary>Member <paramref name="i"/>'s resident memory now (VmRSS in /proc/PID/status), in MiB.</summary>
    public double RssMib(int i)
    {
        var line = File.ReadLines($"/proc/{_processes[i].Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    /// <summary>Space member <paramref name="i"/>'s data folder takes on disk (allocated blocks, as du -sk counts them), in MiB.</summary>
    public double DiskMib(int i)
    {
        using var du = Process.Start(new ProcessStartInfo("du", ["-sk", DataDirectory(i)]) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("cannot run du");
        var output = du.StandardOutput.ReadToEnd();
        du.WaitForExit(30_000);
        return long.Parse(output.Split('\t')[0]) / 1024.0;
    }
}
