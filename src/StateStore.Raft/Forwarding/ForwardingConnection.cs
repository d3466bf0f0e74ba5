using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace StateStore.Raft.Forwarding;

/// <summary>
/// One follower-to-leader connection of the direct forwarding channel: commands go out as frames, many in flight, and
/// a reader matches replies to them by id. Once broken it stays broken; <see cref="TcpProposalForwarder"/> opens another.
/// </summary>
internal sealed class ForwardingConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ForwardReply>> _pending = new();
    private long _nextId;
    private volatile string? _broken;

    private ForwardingConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _ = ReadRepliesAsync();
    }

    public bool IsBroken => _broken is not null;

    /// <summary>
    /// Connects and exchanges the preamble; null when the member answers something else (an older member that
    /// forwards over HTTP only). Throws <see cref="SocketException"/> or <see cref="OperationCanceledException"/>
    /// when it cannot be reached in time.
    /// </summary>
    public static async Task<ForwardingConnection?> OpenAsync(DnsEndPoint endPoint, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
            await socket.SendAsync(ForwardingFrames.Preamble.ToArray(), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var answer = new byte[ForwardingFrames.PreambleLength];
            var received = 0;
            while (received < answer.Length)
            {
                var n = await socket.ReceiveAsync(answer.AsMemory(received), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                received += n;
            }
            if (received < answer.Length || !answer.AsSpan().SequenceEqual(ForwardingFrames.Preamble))
            {
                socket.Dispose();
                return null;
            }
            return new ForwardingConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends a command and waits for the leader's reply; a broken connection answers as HTTP did.</summary>
    public async Task<ForwardReply> SendAsync(byte[] command, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<ForwardReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        if (_broken is { } before)
        {
            _pending.TryRemove(id, out _);
            return ForwardReply.NotLeader($"forwarding connection closed before sending: {before}"); // nothing was sent
        }
        var frame = ForwardingFrames.Request(id, command);
        try
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        try
        {
            // A frame cut short would garble every later one: a cancelled write breaks the connection.
            await _stream.WriteAsync(frame, CancellationToken.None).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Break("a write was cancelled mid-frame");
            throw;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _pending.TryRemove(id, out _);
            Break(e.Message);
            return ForwardReply.Ambiguous($"forwarding connection failed while sending: {e.Message}");
        }
        finally
        {
            _writeGate.Release();
        }
        try
        {
            return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(id, out _);
            throw;
        }
    }

    private async Task ReadRepliesAsync()
    {
        var header = new byte[ForwardingFrames.ReplyHeaderLength];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header).ConfigureAwait(false);
                var length = BinaryPrimitives.ReadInt32LittleEndian(header);
                var id = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(4));
                var status = (ForwardStatus)header[12];
                if (length < 0)
                {
                    throw new InvalidDataException($"a forwarding reply of {length} bytes");
                }
                var body = new byte[length];
                await _stream.ReadExactlyAsync(body).ConfigureAwait(false);
                if (_pending.TryRemove(id, out var waiting))
                {
                    waiting.TrySetResult(ForwardingFrames.Reply(status, body));
                }
            }
        }
        catch (Exception e)
        {
            Break(e is EndOfStreamException ? "the leader closed the connection" : e.Message);
        }
    }

    /// <summary>Closes the connection; every command still waiting may or may not have been applied.</summary>
    private void Break(string reason)
    {
        _broken ??= reason;
        _stream.Dispose();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var waiting))
            {
                waiting.TrySetResult(ForwardReply.Ambiguous($"forwarding connection lost: {reason}"));
            }
        }
    }

    public void Dispose() => Break("closed by this member");
}
