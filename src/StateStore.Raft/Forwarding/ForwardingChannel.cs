using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace StateStore.Raft.Forwarding;

/// <summary>
/// The leader's side of the direct forwarding channel, in front of whatever else the client port serves: a
/// connection that opens with <see cref="ForwardingFrames.Preamble"/> carries forwarded commands, any other goes on
/// untouched (etcd's clients, the HTTP forwarding of older members).
/// </summary>
/// <remarks>
/// Forwarding over HTTP/2 (<see cref="ForwardingEndpoint"/>) cost a follower's write ~0.7 ms and ~0.8 ms of CPU more
/// than the same write sent to the leader (HttpClient, Kestrel's HTTP/2 and routing for every command); etcd forwards
/// a proposal on its peer stream. Here a command is one frame each way on a connection kept open.
/// </remarks>
public static class ForwardingChannel
{
    /// <summary>Serves forwarded commands to <paramref name="store"/> on this endpoint, ahead of its other protocols.</summary>
    public static ListenOptions UseProposalForwarding(this ListenOptions listen, ReplicatedKvStore store) =>
        listen.UseProposalForwarding(store.AcceptForwardedAsync);

    internal static ListenOptions UseProposalForwarding(this ListenOptions listen, Func<byte[], CancellationToken, Task<ForwardReply>> accept)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => async connection =>
        {
            if (await OpensWithPreambleAsync(connection.Transport.Input, connection.ConnectionClosed).ConfigureAwait(false))
            {
                await ServeAsync(connection, accept).ConfigureAwait(false);
            }
            else
            {
                await next(connection).ConfigureAwait(false);
            }
        });
        return listen;
    }

    /// <summary>Looks at the first bytes: consumes the preamble if they are it, else leaves them for the next protocol.</summary>
    private static async Task<bool> OpensWithPreambleAsync(PipeReader input, CancellationToken cancellationToken)
    {
        ReadResult read;
        try
        {
            read = await input.ReadAtLeastAsync(ForwardingFrames.PreambleLength, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException)
        {
            return false; // gone before it said anything: the next protocol meets the same end, and handles it as it always has
        }
        var buffer = read.Buffer;
        var matches = buffer.Length >= ForwardingFrames.PreambleLength && StartsWithPreamble(buffer);
        // Examined only up to the start when it is not ours: the next protocol reads the same bytes at once.
        input.AdvanceTo(matches ? buffer.GetPosition(ForwardingFrames.PreambleLength) : buffer.Start);
        return matches;
    }

    private static bool StartsWithPreamble(ReadOnlySequence<byte> buffer)
    {
        Span<byte> first = stackalloc byte[ForwardingFrames.PreambleLength];
        buffer.Slice(0, ForwardingFrames.PreambleLength).CopyTo(first);
        return first.SequenceEqual(ForwardingFrames.Preamble);
    }

    private static async Task ServeAsync(ConnectionContext connection, Func<byte[], CancellationToken, Task<ForwardReply>> accept)
    {
        // Closed by the follower, or asked to close by the server stopping (which otherwise waits for it).
        var stopping = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, stopping);
        var replies = new ReplyWriter(connection.Transport.Output);
        var handlers = new List<Task>();
        try
        {
            await replies.WritePreambleAsync().ConfigureAwait(false);
            var input = connection.Transport.Input;
            while (true)
            {
                var read = await input.ReadAsync(closing.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (TryReadRequest(ref buffer, out var id, out var command))
                {
                    handlers.RemoveAll(h => h.IsCompleted);
                    handlers.Add(HandleAsync(id, command, accept, replies, closing.Token));
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException or InvalidDataException)
        {
            // The follower went away, or broke the protocol: drop the connection; it opens a new one.
        }
        finally
        {
            await closing.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(handlers).ConfigureAwait(false);
        }
    }

    private static bool TryReadRequest(ref ReadOnlySequence<byte> buffer, out long id, out byte[] command)
    {
        id = 0;
        command = [];
        if (buffer.Length < ForwardingFrames.RequestHeaderLength)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[ForwardingFrames.RequestHeaderLength];
        buffer.Slice(0, ForwardingFrames.RequestHeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > ForwardingFrames.MaxCommandBytes)
        {
            throw new InvalidDataException($"a forwarded command of {length} bytes");
        }
        if (buffer.Length < ForwardingFrames.RequestHeaderLength + length)
        {
            return false;
        }
        id = BinaryPrimitives.ReadInt64LittleEndian(header[4..]);
        command = buffer.Slice(ForwardingFrames.RequestHeaderLength, length).ToArray();
        buffer = buffer.Slice(ForwardingFrames.RequestHeaderLength + length);
        return true;
    }

    private static async Task HandleAsync(long id, byte[] command, Func<byte[], CancellationToken, Task<ForwardReply>> accept, ReplyWriter replies, CancellationToken closing)
    {
        ForwardReply reply;
        try
        {
            reply = await accept(command, closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
            return; // nobody is left to answer
        }
        catch (Exception e)
        {
            // Over HTTP this was a 500, which the follower took as "may or may not have happened".
            reply = ForwardReply.Ambiguous(e.Message);
        }
        await replies.WriteAsync(id, reply).ConfigureAwait(false);
    }

    /// <summary>Replies finish in any order; one at a time goes into the connection's output.</summary>
    private sealed class ReplyWriter(PipeWriter output)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async Task WritePreambleAsync()
        {
            await output.WriteAsync(ForwardingFrames.Preamble.ToArray()).ConfigureAwait(false);
        }

        public async Task WriteAsync(long id, ForwardReply reply)
        {
            var body = ForwardingFrames.ReplyBody(reply);
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                ForwardingFrames.WriteReplyHeader(output.GetSpan(ForwardingFrames.ReplyHeaderLength), id, reply.Status, body.Length);
                output.Advance(ForwardingFrames.ReplyHeaderLength);
                await output.WriteAsync(body).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or ConnectionResetException or IOException)
            {
                // The connection closed under the reply: the follower takes its write as ambiguous.
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
