using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DotNext.Net.Cluster.Consensus.Raft;
using StateStore.Raft.Membership;
using StateStore.Raft.Tests.Cluster;
using StateStore.Testing;
using Xunit.Abstractions;

namespace StateStore.Raft.Tests;

/// <summary>
/// Two members of three must elect a leader when the third is gone, however it is gone: refusing connections (a
/// stopped process), accepting them and never answering (a paused process, or an open connection across a network
/// cut), or never completing a connect (a new connection across a cut). etcd's Raft elects with the two in each case.
/// DotNext 6.12's own TCP transport does not in the second case (pinned here, as the dependency bug behind the
/// harness's finding); <see cref="Transport.PeerConnections"/>, the transport our members use, does in all three.
/// </summary>
public sealed class ElectionFactsTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5); // 16 election timeouts of 300 ms and more

    private readonly TempDirectory _dir = new("election-facts");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Two_of_three_elect_a_leader_when_the_third_refuses_connections()
    {
        var refused = new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Raft.Next());

        var elected = await TimeToLeaderAsync(refused);

        output.WriteLine($"leader after {elected?.TotalSeconds:F1} s");
        Assert.NotNull(elected);
    }

    [Fact]
    public async Task Two_of_three_elect_a_leader_when_the_third_accepts_connections_and_never_answers()
    {
        await using var silent = SilentPeer.Start();

        var elected = await TimeToLeaderAsync(silent.EndPoint);

        output.WriteLine($"leader after {elected?.TotalSeconds:F1} s; {silent.Accepted} connections held unanswered");
        Assert.True(silent.Accepted > 0, "the members never connected to the silent peer");
        Assert.NotNull(elected);
    }

    [Fact]
    public async Task Two_of_three_elect_a_leader_when_connects_to_the_third_never_complete()
    {
        using var hole = BlackHole.Start();
        Assert.False(await hole.ConnectsWithinAsync(TimeSpan.FromSeconds(1)), "the black hole completed a connect");

        var elected = await TimeToLeaderAsync(hole.EndPoint);

        output.WriteLine($"leader after {elected?.TotalSeconds:F1} s");
        Assert.NotNull(elected);
    }

    /// <summary>
    /// The dependency bug, on DotNext alone (its TCP transport, its in-memory state): the candidate waits for every
    /// member's answer and counts a round its timeout cancelled as lost, so one silent peer fails every election
    /// until a request to it fails by itself (the request timeout, 30 s in our configuration).
    /// </summary>
    [Fact]
    public async Task DotNext_tcp_transport_does_not_elect_two_of_three_while_the_third_never_answers()
    {
        await using var silent = SilentPeer.Start();
        var endpoints = new[] { Loopback(), Loopback(), silent.EndPoint };
        var clusters = new List<RaftCluster>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var storage = await EndPointConfigurationStorage.OpenAsync(Path.Combine(_dir.Path, $"dotnext{i}.members"), endpoints, CancellationToken.None);
                clusters.Add(new RaftCluster(new RaftCluster.TcpConfiguration(endpoints[i])
                {
                    ConfigurationStorage = storage,
                    LowerElectionTimeout = 300,
                    UpperElectionTimeout = 600,
                    RequestTimeout = TimeSpan.FromSeconds(30),
                    ConnectTimeout = TimeSpan.FromMilliseconds(300),
                    ColdStart = false,
                })
                { AuditTrail = new ConsensusOnlyState() });
            }
            await Task.WhenAll(clusters.Select(c => c.StartAsync(CancellationToken.None)));

            var elected = await WaitAsync(() => clusters.Any(c => c.Leader is not null));

            output.WriteLine(elected is null ? $"no leader in {Limit.TotalSeconds} s" : $"leader after {elected.Value.TotalSeconds:F1} s");
            Assert.True(silent.Accepted > 0, "the members never connected to the silent peer");
            Assert.Null(elected);
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.StopAsync(CancellationToken.None);
                cluster.Dispose();
            }
        }
    }

    private static IPEndPoint Loopback() => new(IPAddress.Loopback, LoopbackPorts.Raft.Next());

    /// <summary>Starts m0 and m1 of a three-member cluster whose m2 is at <paramref name="third"/>; how long until one leads, or null.</summary>
    private async Task<TimeSpan?> TimeToLeaderAsync(IPEndPoint third)
    {
        var peers = new List<(string, IPEndPoint)> { ("m0", Loopback()), ("m1", Loopback()), ("m2", third) };
        var members = peers.Take(2).Select(p => RaftTestCluster.NewMember(p.Item1, p.Item2, peers, _dir.Path, snapshots: null, join: false)).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await Task.WhenAll(members.Select(m => m.StartAsync(timeout.Token)));
            return await WaitAsync(() => members.Any(m => m.Member!.IsLeader));
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    private static async Task<TimeSpan?> WaitAsync(Func<bool> leads)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            if (leads())
            {
                return clock.Elapsed;
            }
            await Task.Delay(20);
        }
        return null;
    }

    /// <summary>A peer that accepts connections and never answers: a paused process, as its peers see it.</summary>
    private sealed class SilentPeer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, LoopbackPorts.Raft.Next());
        private readonly List<Socket> _held = [];
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public static SilentPeer Start()
        {
            var peer = new SilentPeer();
            peer._listener.Start();
            peer._accepting = Task.Run(async () =>
            {
                while (!peer._stop.IsCancellationRequested)
                {
                    var socket = await peer._listener.AcceptSocketAsync(peer._stop.Token);
                    lock (peer._held)
                    {
                        peer._held.Add(socket);
                    }
                }
            });
            return peer;
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

        public int Accepted
        {
            get
            {
                lock (_held)
                {
                    return _held.Count;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
            _listener.Stop();
            lock (_held)
            {
                _held.ForEach(s => s.Dispose());
            }
            _stop.Dispose();
        }
    }

    /// <summary>
    /// An address where connects never complete, as across a network cut: a listener that never accepts, its accept
    /// queue filled, so the kernel drops every further SYN.
    /// </summary>
    private sealed class BlackHole : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _fillers = [];

        public static BlackHole Start()
        {
            var hole = new BlackHole();
            hole._listener.Bind(new IPEndPoint(IPAddress.Loopback, LoopbackPorts.Raft.Next()));
            hole._listener.Listen(0);
            return hole;
        }

        public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

        /// <summary>Fills the accept queue with connects that completed, then tells whether one more completes in time.</summary>
        public async Task<bool> ConnectsWithinAsync(TimeSpan limit)
        {
            while (true)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var timeout = new CancellationTokenSource(limit);
                try
                {
                    await socket.ConnectAsync(EndPoint, timeout.Token);
                    _fillers.Add(socket);
                    if (_fillers.Count > 8)
                    {
                        return true;
                    }
                }
                catch (OperationCanceledException)
                {
                    socket.Dispose();
                    return false;
                }
            }
        }

        public void Dispose()
        {
            _fillers.ForEach(s => s.Dispose());
            _listener.Dispose();
        }
    }
}
