using System.Diagnostics;
using Xunit.Abstractions;
using System.Net;
using System.Net.Sockets;
using StateStore.Raft.Tests.Cluster;
using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>
/// How DotNext 6.12 elects when one member of three is gone, established by experiment: two real members whose
/// third peer either refuses connections (a stopped process) or accepts them and never answers (what a network
/// cut that drops packets looks like to an open connection). etcd's Raft elects with the two either way. These pin
/// the library's behaviour behind the harness's finding that a majority cut off from its leader elects late.
/// </summary>
public sealed class ElectionFactsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("election-facts");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Two_of_three_elect_a_leader_when_the_third_refuses_connections()
    {
        var refused = new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Raft.Next());

        var elected = await TimeToLeaderAsync(refused, TimeSpan.FromSeconds(20));

        output.WriteLine($"leader after {elected?.TotalSeconds:F1} s");
        Assert.NotNull(elected);
    }

    [Fact]
    public async Task Two_of_three_do_not_elect_while_the_third_accepts_connections_and_never_answers()
    {
        using var silent = new TcpListener(IPAddress.Loopback, LoopbackPorts.Raft.Next());
        silent.Start();
        var held = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await silent.AcceptSocketAsync(stop.Token));
            }
        });

        // Ten election timeouts and more: each vote round waits for every member, and the silent one never answers
        // within the candidate's timeout, so every round is cancelled and no one leads.
        var elected = await TimeToLeaderAsync((IPEndPoint)silent.LocalEndpoint, TimeSpan.FromSeconds(5));

        await stop.CancelAsync();
        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        held.ForEach(s => s.Dispose());
        output.WriteLine(elected is null ? "no leader in 5 s" : $"leader after {elected.Value.TotalSeconds:F1} s");
        Assert.True(held.Count > 0, "the members never connected to the silent peer");
        Assert.Null(elected);
    }

    /// <summary>Starts m0 and m1 of a three-member cluster whose m2 is at <paramref name="third"/>; how long until one leads, or null.</summary>
    private async Task<TimeSpan?> TimeToLeaderAsync(IPEndPoint third, TimeSpan limit)
    {
        var peers = new List<(string, IPEndPoint)>
        {
            ("m0", new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Raft.Next())),
            ("m1", new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Raft.Next())),
            ("m2", third),
        };
        var members = peers.Take(2).Select(p => RaftTestCluster.NewMember(p.Item1, p.Item2, peers, _dir.Path, snapshots: null, join: false)).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await Task.WhenAll(members.Select(m => m.StartAsync(timeout.Token)));
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < limit)
            {
                if (members.Any(m => m.Member!.IsLeader))
                {
                    return clock.Elapsed;
                }
                await Task.Delay(20, timeout.Token);
            }
            return null;
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }
}
