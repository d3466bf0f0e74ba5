using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using StateStore.Testing;
using StateStore.Raft.Forwarding;

namespace StateStore.Raft.Tests.Forwarding;

/// <summary>
/// The direct forwarding channel between a real Kestrel port and <see cref="TcpProposalForwarder"/>, with a stand-in
/// leader (a function from command to reply): replies find their commands, the port still serves HTTP/2, an older
/// member gets commands over HTTP, and a lost connection answers as forwarding over HTTP did.
/// </summary>
public sealed class ForwardingChannelTests : IAsyncDisposable
{
    private readonly CancellationToken _ct = TestTimeout.Token(TimeSpan.FromMinutes(1));
    private readonly List<WebApplication> _hosts = [];
    private readonly TcpProposalForwarder _forwarder = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();

    [Fact]
    public async Task Many_commands_in_flight_on_one_connection_each_get_their_own_reply()
    {
        var url = await StartLeaderAsync(async (command, ct) =>
        {
            // Answer out of order: a longer command waits less.
            await Task.Delay(TimeSpan.FromMilliseconds(40 - command.Length), ct);
            return new ForwardReply(ForwardStatus.Applied, [.. command.Reverse()], null);
        });

        var commands = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes($"c{i % 30:D2}-{new string('x', i % 25)}")).ToArray();
        var replies = await Task.WhenAll(commands.Select(c => _forwarder.ForwardAsync(url, c, _ct)));

        for (var i = 0; i < commands.Length; i++)
        {
            Assert.Equal(ForwardStatus.Applied, replies[i].Status);
            Assert.Equal(commands[i].Reverse(), replies[i].Result!);
        }
    }

    [Fact]
    public async Task Not_leader_and_ambiguous_answers_carry_their_reason()
    {
        var url = await StartLeaderAsync((command, _) => Task.FromResult(command[0] == 1
            ? ForwardReply.NotLeader("not leader here")
            : ForwardReply.Ambiguous("leadership lost while replicating")));

        var notLeader = await _forwarder.ForwardAsync(url, [1], _ct);
        var ambiguous = await _forwarder.ForwardAsync(url, [2], _ct);

        Assert.Equal((ForwardStatus.NotLeader, "not leader here"), (notLeader.Status, notLeader.Reason));
        Assert.Equal((ForwardStatus.Ambiguous, "leadership lost while replicating"), (ambiguous.Status, ambiguous.Reason));
    }

    [Fact]
    public async Task The_port_still_serves_http2_to_everyone_else()
    {
        var url = await StartLeaderAsync((command, _) => Task.FromResult(new ForwardReply(ForwardStatus.Applied, command, null)));
        Assert.Equal(ForwardStatus.Applied, (await _forwarder.ForwardAsync(url, [7], _ct)).Status);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "/hello")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.SendAsync(request, _ct);

        Assert.Equal("hello over HTTP/2", await response.Content.ReadAsStringAsync(_ct));
    }

    [Fact]
    public async Task An_http2_client_that_sends_its_preface_and_waits_is_answered_at_once()
    {
        // The port looks at a connection's first bytes to tell the channel from HTTP/2; it must hand them on as unread,
        // or HTTP/2 would wait for bytes a client that has sent its preface (and waits for the server's) never sends.
        var url = await StartLeaderAsync((command, _) => Task.FromResult(new ForwardReply(ForwardStatus.Applied, command, null)));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, url.Port, _ct);
        await socket.SendAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), _ct);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        wait.CancelAfter(TimeSpan.FromSeconds(5));

        var frame = new byte[9];
        var received = await socket.ReceiveAsync(frame, wait.Token);

        Assert.Equal(9, received);
        Assert.Equal(4, frame[3]); // the server's SETTINGS frame
    }

    [Fact]
    public async Task A_connection_reset_before_its_first_bytes_is_no_error()
    {
        var url = await StartLeaderAsync((command, _) => Task.FromResult(new ForwardReply(ForwardStatus.Applied, command, null)));
        for (var i = 0; i < 5; i++)
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, url.Port, _ct);
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0); // close with a reset
        }
        var reply = await _forwarder.ForwardAsync(url, [3], _ct);
        await Task.Delay(TimeSpan.FromMilliseconds(200), _ct);

        Assert.Equal(ForwardStatus.Applied, reply.Status);
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task A_member_without_the_channel_gets_the_command_over_http()
    {
        var url = await StartLeaderAsync((command, _) => Task.FromResult(new ForwardReply(ForwardStatus.Applied, [.. command, 42], null)), channel: false);

        var reply = await _forwarder.ForwardAsync(url, [1, 2], _ct);

        Assert.Equal(ForwardStatus.Applied, reply.Status);
        Assert.Equal(new byte[] { 1, 2, 42 }, reply.Result);
    }

    [Fact]
    public async Task A_refused_connection_is_not_leader_and_nothing_was_sent()
    {
        var closedPort = LoopbackPorts.Raft.Next();

        var reply = await _forwarder.ForwardAsync(new Uri($"http://127.0.0.1:{closedPort}"), [1], _ct);

        Assert.Equal(ForwardStatus.NotLeader, reply.Status);
    }

    [Fact]
    public async Task A_connection_lost_with_a_command_in_flight_is_ambiguous_and_the_next_command_reconnects()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var port = LoopbackPorts.Raft.Next();
        var url = await StartLeaderAsync(async (command, ct) =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return ForwardReply.NotLeader("unreachable");
        }, port: port);
        var inFlight = _forwarder.ForwardAsync(url, [1], _ct);
        await received.Task.WaitAsync(_ct);

        await StopHostsAsync();
        var lost = await inFlight;
        await StartLeaderAsync((command, _) => Task.FromResult(new ForwardReply(ForwardStatus.Applied, command, null)), port: port);
        var next = await _forwarder.ForwardAsync(url, [2], _ct);

        Assert.Equal(ForwardStatus.Ambiguous, lost.Status);
        Assert.Equal(ForwardStatus.Applied, next.Status);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_connection_usable()
    {
        var url = await StartLeaderAsync(async (command, ct) =>
        {
            await Task.Delay(command[0] == 1 ? TimeSpan.FromSeconds(2) : TimeSpan.Zero, ct);
            return new ForwardReply(ForwardStatus.Applied, command, null);
        });
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        impatient.CancelAfter(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _forwarder.ForwardAsync(url, [1], impatient.Token));
        var next = await _forwarder.ForwardAsync(url, [2], _ct);

        Assert.Equal((ForwardStatus.Applied, (byte)2), (next.Status, next.Result![0]));
    }

    private async Task<Uri> StartLeaderAsync(Func<byte[], CancellationToken, Task<ForwardReply>> accept, bool channel = true, int port = 0)
    {
        port = port == 0 ? LoopbackPorts.Raft.Next() : port;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(new ErrorLog(_errors));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l =>
        {
            if (channel)
            {
                l.UseProposalForwarding(accept);
            }
            l.Protocols = HttpProtocols.Http2;
        }));
        var host = builder.Build();
        host.MapGet("/hello", () => "hello over HTTP/2");
        if (!channel)
        {
            // Only where the channel is missing: elsewhere a command that fell back to HTTP would get a 404.
            host.MapProposalForwarding(accept);
        }
        await host.StartAsync(_ct);
        _hosts.Add(host);
        return new Uri($"http://127.0.0.1:{port}");
    }

    private async Task StopHostsAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(CancellationToken.None);
            await host.DisposeAsync();
        }
        _hosts.Clear();
    }

    /// <summary>Keeps what the host logs at Error and above (Kestrel's "Unhandled exception while processing" among it).</summary>
    private sealed class ErrorLog(System.Collections.Concurrent.ConcurrentQueue<string> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                errors.Enqueue($"{formatter(state, exception)} {exception?.GetType().Name}");
            }
        }

        public void Dispose()
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopHostsAsync();
        _forwarder.Dispose();
    }
}
