using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace StateStore.Testing.Processes;

/// <summary>
/// A TCP proxy in front of one member's Raft port, for slow and lossy links without tc or iptables: the member listens
/// on its own peer port and advertises the proxy's (<c>--initial-advertise-peer-urls</c>), so every Raft connection into
/// it passes here. <see cref="Delay"/> holds each chunk that long before passing it on (in order, without slowing the
/// stream's throughput: a chunk waits only for its own due time); <see cref="ResetOdds"/> is the chance that a chunk
/// kills its connection instead, with a TCP reset both ways (what a lossy link does to a TCP stream: the requests in
/// flight are lost and the sender has to connect again). On loopback the proxy cannot tell which member a connection
/// comes from, so a fault here is on every link into the member.
/// </summary>
public sealed class PeerProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _delayTicks;
    private double _resetOdds;

    /// <summary>Listens on <paramref name="listen"/> and forwards each connection to <paramref name="target"/>.</summary>
    public PeerProxy(IPEndPoint listen, IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(listen);
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>How long each chunk is held before it is passed on; zero for none.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>The chance, per chunk, that the chunk kills its connection instead of passing; zero for none.</summary>
    public double ResetOdds
    {
        get => Volatile.Read(ref _resetOdds);
        set => Volatile.Write(ref _resetOdds, value);
    }

    /// <summary>Connections reset so far by <see cref="ResetOdds"/>.</summary>
    public int Resets => Volatile.Read(ref _resets);

    private int _resets;

    /// <summary>Back to a clean link: no delay, no resets.</summary>
    public void Heal()
    {
        Delay = TimeSpan.Zero;
        ResetOdds = 0;
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket inbound;
            try
            {
                inbound = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ConnectAsync(inbound, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ConnectAsync(Socket inbound, CancellationToken cancellationToken)
    {
        var outbound = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        inbound.NoDelay = true;
        _sockets[inbound] = 0;
        _sockets[outbound] = 0;
        try
        {
            await outbound.ConnectAsync(_target, cancellationToken);
            await Task.WhenAll(PumpAsync(inbound, outbound, cancellationToken), PumpAsync(outbound, inbound, cancellationToken));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The member is down, or the link was reset: the member connects again.
        }
        finally
        {
            Reset(inbound, outbound);
        }
    }

    /// <summary>
    /// One direction: a reader queues each chunk with its due time, a writer sends it when due. Either side failing
    /// resets both sockets, which ends the other.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var chunks = Channel.CreateUnbounded<(byte[] Chunk, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writing = WriteAsync(chunks.Reader, from, to, cancellationToken);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }
                if (ResetOdds > 0 && Random.Shared.NextDouble() < ResetOdds)
                {
                    Interlocked.Increment(ref _resets);
                    Reset(from, to);
                    break;
                }
                chunks.Writer.TryWrite((buffer[..read], Environment.TickCount64 + (long)Delay.TotalMilliseconds));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            Reset(from, to);
        }
        finally
        {
            chunks.Writer.TryComplete();
        }
        await writing;
    }

    private async Task WriteAsync(ChannelReader<(byte[] Chunk, long Due)> chunks, Socket from, Socket to, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (chunk, due) in chunks.ReadAllAsync(cancellationToken))
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
                }
                await to.SendAsync(chunk, SocketFlags.None, cancellationToken);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            Reset(from, to);
        }
    }

    /// <summary>Closes both sockets with a TCP reset (linger 0), so each side sees the connection fail at once.</summary>
    private void Reset(params Socket[] sockets)
    {
        foreach (var socket in sockets)
        {
            if (_sockets.TryRemove(socket, out _))
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
                socket.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Reset([.. _sockets.Keys]);
        _stop.Dispose();
    }
}
