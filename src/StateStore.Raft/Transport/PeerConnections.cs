using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace StateStore.Raft.Transport;

/// <summary>
/// The connections this member opens to its peers, for DotNext's custom transport: Kestrel's socket transport,
/// with the two bounds DotNext 6.12's own TCP transport lacks, so that a peer that went silent (cut off by the
/// network, or paused) cannot stall an election.
/// <list type="bullet">
/// <item>A connect gives up after <c>connectTimeout</c> (DotNext's TcpClient ignores its ConnectTimeout: a connect to
/// an address that drops packets waits for the whole request timeout).</item>
/// <item>While this member does not lead, a request unanswered for <c>answerTimeout</c> has its connection
/// aborted. DotNext's candidate waits for an answer from every member and counts a round cancelled by its timeout
/// as lost (proved in ElectionFactsTests); an aborted connection is an unavailable member instead, so two of three
/// elect. A member that does not lead sends only votes, pre-votes and read barriers, all answered in
/// milliseconds by a live peer; the leader's AppendEntries and snapshot installs are never cut short.</item>
/// </list>
/// Both bounds stay below the election timeout, so a vote round ends before the candidate's timeout does.
/// </summary>
internal sealed class PeerConnections : IConnectionFactory, IDisposable
{
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _answerTimeout;
    private readonly SocketConnectionContextFactory _sockets;
    private readonly ConcurrentDictionary<ConnectionContext, WatchedPipe> _open = new();
    private readonly Timer _watchdog;
    private readonly ILogger _logger;

    public PeerConnections(TimeSpan connectTimeout, TimeSpan answerTimeout, ILoggerFactory loggers)
    {
        _connectTimeout = connectTimeout;
        _answerTimeout = answerTimeout;
        _logger = loggers.CreateLogger("StateStore.Raft.Transport");
        _sockets = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), _logger);
        var period = answerTimeout / 8;
        _watchdog = new Timer(_ => AbortSilent(), null, period, period);
    }

    /// <summary>True while this member leads (set once the cluster exists); then nothing is aborted.</summary>
    public Func<bool> Leading { get; set; } = () => false;

    /// <summary>The listener side: Kestrel's socket transport, Nagle off as on the connecting side.</summary>
    public static IConnectionListenerFactory Listener(ILoggerFactory loggers) =>
        new SocketTransportFactory(Microsoft.Extensions.Options.Options.Create(new SocketTransportOptions { NoDelay = true }), loggers);

    public async ValueTask<ConnectionContext> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
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
        _open[connection] = pipe;
        connection.ConnectionClosed.Register(() => _open.TryRemove(connection, out _));
        return connection;
    }

    private void AbortSilent()
    {
        if (_open.IsEmpty || Leading())
        {
            return;
        }
        foreach (var (connection, pipe) in _open)
        {
            if (pipe.Unanswered > _answerTimeout)
            {
                Log.PeerSilent(_logger, connection.RemoteEndPoint?.ToString() ?? "?", (int)_answerTimeout.TotalMilliseconds);
                _open.TryRemove(connection, out _);
                connection.Abort(new ConnectionAbortedException($"no answer from {connection.RemoteEndPoint} in {_answerTimeout.TotalMilliseconds:F0} ms"));
            }
        }
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        _sockets.Dispose();
    }
}
