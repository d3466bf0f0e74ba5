using System.Net;
using System.Net.Sockets;

namespace StateStore.Raft.Forwarding;

/// <summary>
/// Forwards writes over HTTP/2 (cleartext, prior knowledge) to <see cref="ForwardingEndpoint"/> on the
/// leader's client port. A refused connection means nothing was sent, so it is safe to retry; a
/// failure after sending is ambiguous.
/// </summary>
public sealed class HttpProposalForwarder : IProposalForwarder, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(2),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<ForwardReply> ForwardAsync(Uri leaderClientUrl, byte[] command, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(leaderClientUrl, ForwardingEndpoint.Path))
        {
            Content = new ByteArrayContent(command),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return ForwardReply.NotLeader($"connection refused by {leaderClientUrl}");
        }
        catch (HttpRequestException e)
        {
            return ForwardReply.Ambiguous(e.Message);
        }
        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => new ForwardReply(ForwardStatus.Applied, body, null),
                HttpStatusCode.MisdirectedRequest => ForwardReply.NotLeader(System.Text.Encoding.UTF8.GetString(body)),
                _ => ForwardReply.Ambiguous($"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}"),
            };
        }
    }

    public void Dispose() => _client.Dispose();
}
