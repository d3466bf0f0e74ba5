using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StateStore.Raft.Forwarding;

/// <summary>
/// Forwards commands to the leader on the direct forwarding channel of its client port (<see cref="ForwardingChannel"/>):
/// one connection per leader, kept open, many commands in flight. A leader that does not speak it (an older member)
/// gets them over HTTP/2 (<see cref="HttpProposalForwarder"/>), asked again after <see cref="RetryChannelAfter"/>.
/// </summary>
/// <remarks>
/// As over HTTP: a command that cannot be sent (refused or unreachable connection) is "not leader", safe to send
/// again; one sent on a connection that then breaks is "ambiguous".
/// </remarks>
public sealed class TcpProposalForwarder : IProposalForwarder, IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryChannelAfter = TimeSpan.FromSeconds(30);

    private readonly HttpProposalForwarder _http = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Opening> _connections = [];
    private bool _disposed;

    /// <summary>A connection being opened or open; a null result is a member that forwards over HTTP only.</summary>
    private sealed record Opening(Task<ForwardingConnection?> Connection, long StartedAt);

    public async Task<ForwardReply> ForwardAsync(Uri leaderClientUrl, byte[] command, CancellationToken cancellationToken)
    {
        if (leaderClientUrl.Scheme != Uri.UriSchemeHttp || command.Length > ForwardingFrames.MaxCommandBytes)
        {
            return await _http.ForwardAsync(leaderClientUrl, command, cancellationToken).ConfigureAwait(false);
        }
        var opening = OpeningTo(leaderClientUrl);
        ForwardingConnection? connection;
        try
        {
            connection = await opening.Connection.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is SocketException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            Forget(leaderClientUrl, opening);
            return ForwardReply.NotLeader($"cannot reach {leaderClientUrl}: {e.Message}");
        }
        if (connection is null)
        {
            return await _http.ForwardAsync(leaderClientUrl, command, cancellationToken).ConfigureAwait(false);
        }
        return await connection.SendAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private Opening OpeningTo(Uri url)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connections.TryGetValue(url.Authority, out var known) && IsUsable(known))
            {
                return known;
            }
            if (known?.Connection is { IsCompletedSuccessfully: true, Result: { } old })
            {
                old.Dispose();
            }
            var opening = new Opening(ForwardingConnection.OpenAsync(new DnsEndPoint(url.Host, url.Port), ConnectTimeout), Stopwatch.GetTimestamp());
            _connections[url.Authority] = opening;
            return opening;
        }
    }

    private static bool IsUsable(Opening opening) => opening.Connection.Status switch
    {
        TaskStatus.RanToCompletion => opening.Connection.Result is { IsBroken: false } || (opening.Connection.Result is null && Stopwatch.GetElapsedTime(opening.StartedAt) < RetryChannelAfter),
        TaskStatus.Faulted or TaskStatus.Canceled => false,
        _ => true, // still opening: wait for it with the others
    };

    private void Forget(Uri url, Opening opening)
    {
        lock (_gate)
        {
            if (_connections.TryGetValue(url.Authority, out var known) && known == opening)
            {
                _connections.Remove(url.Authority);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var opening in _connections.Values)
            {
                if (opening.Connection is { IsCompletedSuccessfully: true, Result: { } connection })
                {
                    connection.Dispose();
                }
            }
            _connections.Clear();
        }
        _http.Dispose();
    }
}
