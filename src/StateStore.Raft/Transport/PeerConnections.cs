using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace StateStore.Raft.Transport;

/// <summary>
/// The connections this member opens to its peers, for DotNext's custom transport: Kestrel's socket transport,
/// with the bounds DotNext 6.12's own TCP transport lacks, so that a peer that went silent (cut off by the network,
/// or paused) cannot stall an election or a leader.
/// <list type="bullet">
/// <item>A connect gives up after <c>connectTimeout</c> (DotNext's TcpClient ignores its ConnectTimeout: a connect to
/// an address that drops packets waits for the whole request timeout).</item>
/// <item>While this member does not lead, a request unanswered for <c>answerTimeout</c> has its connection
/// aborted. DotNext's candidate waits for an answer from every member and counts a round cancelled by its timeout
/// as lost (proved in ElectionFactsTests); an aborted connection is an unavailable member instead, so two of three
/// elect. A member that does not lead sends only votes, pre-votes and read barriers, all answered in
/// milliseconds by a live peer.</item>
/// <item>While it leads, a small request (a heartbeat, a few entries: under <see cref="SmallRequestBytes"/>)
/// unanswered for <c>leaderAnswerTimeout</c> has its connection aborted too: DotNext's leader waits for every
/// member's answer in its first round, so a new leader would not commit while its predecessor stays paused, and a
/// leader cut off from the majority would go on leading until its requests time out (30 s) instead of stepping
/// down. Large requests (catch-up batches, snapshot installs) are never cut short.</item>
/// </list>
/// The bounds of a member that does not lead stay below the election timeout, so a vote round ends before the
/// candidate's timeout does.
/// </summary>
internal sealed class PeerConnections : IConnectionFactory, IDisposable
{
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _answerTimeout;
    private readonly TimeSpan _leaderAnswerTimeout;
    private readonly SocketConnectionContextFactory _sockets;
    private readonly ConcurrentDictionary<ConnectionContext, (WatchedPipe Pipe, EndPoint Peer)> _open = new();
    private readonly ConcurrentDictionary<EndPoint, long> _quarantinedUntil = new();
    private readonly Timer _watchdog;
    private readonly ILogger _logger;

    /// <summary>Requests up to this size count as small: heartbeats, votes and a few entries, never a snapshot.</summary>
    public const long SmallRequestBytes = 64 * 1024;

    public PeerConnections(TimeSpan connectTimeout, TimeSpan answerTimeout, TimeSpan leaderAnswerTimeout, ILoggerFactory loggers)
    {
        _connectTimeout = connectTimeout;
        _answerTimeout = answerTimeout;
        _leaderAnswerTimeout = leaderAnswerTimeout;
        Quarantine = leaderAnswerTimeout * 2;
        _logger = loggers.CreateLogger("StateStore.Raft.Transport");
        _sockets = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), _logger);
        var period = answerTimeout / 8;
        _watchdog = new Timer(_ => AbortSilent(), null, period, period);
    }

    /// <summary>How long connects to a peer found silent fail at once.</summary>
    public TimeSpan Quarantine { get; }

    /// <summary>True while this member leads (set once the cluster exists): then only small requests are bounded, and more loosely.</summary>
    public Func<bool> Leading { get; set; } = () => false;

    /// <summary>The listener side: Kestrel's socket transport, Nagle off as on the connecting side.</summary>
    public static IConnectionListenerFactory Listener(ILoggerFactory loggers) =>
        new SocketTransportFactory(Microsoft.Extensions.Options.Options.Create(new SocketTransportOptions { NoDelay = true }), loggers);

    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (_quarantinedUntil.TryGetValue(endpoint, out var until) && Stopwatch.GetTimestamp() < until)
        {
            throw new SocketException((int)SocketError.HostUnreachable);
        }
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(_connectTimeout);
        try
        {
            await socket.ConnectAsync(endpoint, connect.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            // Not a cancellation: DotNext counts this peer unavailable instead of failing the caller's round.
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = _sockets.Create(socket);
        var pipe = new WatchedPipe(connection.Transport);
        connection.Transport = pipe;
        _open[connection] = (pipe, endpoint);
        connection.ConnectionClosed.Register(() => _open.TryRemove(connection, out _));
        return connection;
    }

    private void AbortSilent()
    {
        if (_open.IsEmpty)
        {
            return;
        }
        var leading = Leading();
        foreach (var (connection, (pipe, peer)) in _open)
        {
            if (connection.ConnectionClosed.IsCancellationRequested)
            {
                _open.TryRemove(connection, out _); // closed without its callback having run yet
                continue;
            }
            var waited = pipe.Unanswered;
            if (leading ? waited > _leaderAnswerTimeout && pipe.UnansweredBytes <= SmallRequestBytes : waited > _answerTimeout)
            {
                Log.PeerSilent(_logger, connection.RemoteEndPoint?.ToString() ?? "?", (int)waited.TotalMilliseconds, leading ? "leads" : "does not lead");
                _open.TryRemove(connection, out _);
                if (leading)
                {
                    _quarantinedUntil[peer] = Stopwatch.GetTimestamp() + (long)(Quarantine.TotalSeconds * Stopwatch.Frequency);
                }
                connection.Abort(new ConnectionAbortedException($"no answer from {connection.RemoteEndPoint} in {waited.TotalMilliseconds:F0} ms"));
            }
        }
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        _sockets.Dispose();
    }
}
