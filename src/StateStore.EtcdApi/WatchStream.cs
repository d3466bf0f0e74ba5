using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using StateStore.EtcdApi.Mapping;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

/// <summary>
/// One Watch call: reads create / cancel / progress requests, runs a pump per watch, and sends every
/// response through one writer, because <see cref="IServerStreamWriter{T}"/> is not thread-safe. The
/// writer's queue is bounded, so a client that does not read slows the pumps, and the store's watches
/// fall back to catching up from storage instead of buffering without end.
/// </summary>
internal sealed partial class WatchStream : IAsyncDisposable
{
    /// <summary>etcd's clientv3.InvalidWatchID: failed creates and stream-wide progress notifications.</summary>
    private const long InvalidWatchId = -1;

    private readonly IKvStore _store;
    private readonly IServerStreamWriter<EtcdPb.WatchResponse> _responses;
    private readonly EtcdApiOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cts;
    private readonly Channel<Outgoing> _outbox = Channel.CreateBounded<Outgoing>(
        new BoundedChannelOptions(128) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Dictionary<long, WatchPump> _watches = [];
    private long _nextId;

    public WatchStream(IKvStore store, IServerStreamWriter<EtcdPb.WatchResponse> responses, EtcdApiOptions options, ILogger logger, CancellationToken callEnded)
    {
        _store = store;
        _responses = responses;
        _options = options;
        _logger = logger;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(callEnded);
    }

    /// <summary>A response to send; <see cref="Watch"/> names the watch it belongs to, if any.</summary>
    private readonly record struct Outgoing(EtcdPb.WatchResponse Response, WatchPump? Watch, bool EndsWatch);

    private CancellationToken Token => _cts.Token;

    /// <summary>Serves the call until the client cancels it or the connection fails.</summary>
    public async Task RunAsync(IAsyncStreamReader<EtcdPb.WatchRequest> requests)
    {
        var writer = WriteLoopAsync();
        var ticker = ProgressLoopAsync();
        try
        {
            await ReceiveLoopAsync(requests).ConfigureAwait(false);
            // As etcd: the client closing its sending side does not end its watches; the call ends when
            // the client cancels it (or the connection goes).
            await writer.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
        }
        catch (IOException) when (Token.IsCancellationRequested)
        {
        }
        finally
        {
            await _cts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writer, ticker).ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(IAsyncStreamReader<EtcdPb.WatchRequest> requests)
    {
        while (await requests.MoveNext(Token).ConfigureAwait(false))
        {
            var request = requests.Current;
            switch (request.RequestUnionCase)
            {
                case EtcdPb.WatchRequest.RequestUnionOneofCase.CreateRequest:
                    await CreateAsync(request.CreateRequest).ConfigureAwait(false);
                    break;
                case EtcdPb.WatchRequest.RequestUnionOneofCase.CancelRequest:
                    await CancelAsync(request.CancelRequest.WatchId).ConfigureAwait(false);
                    break;
                case EtcdPb.WatchRequest.RequestUnionOneofCase.ProgressRequest:
                    await ProgressAsync().ConfigureAwait(false);
                    break;
                default:
                    // As etcd: an unknown request does not end the stream.
                    Log.EmptyWatchRequest(_logger);
                    break;
            }
        }
    }

    /// <summary>The one writer: sends queued responses in order, dropping those of watches already closed.</summary>
    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var item in _outbox.Reader.ReadAllAsync(Token).ConfigureAwait(false))
            {
                if (item.Watch is { Closed: true })
                {
                    continue;
                }
                await _responses.WriteAsync(item.Response, Token).ConfigureAwait(false);
                if (item.EndsWatch && item.Watch is not null)
                {
                    item.Watch.Closed = true;
                }
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The client went away mid-write; end the call.
            if (!Token.IsCancellationRequested)
            {
                Log.WatchStreamFailed(_logger, e);
            }
            await _cts.CancelAsync().ConfigureAwait(false);
        }
    }

    private ValueTask SendAsync(EtcdPb.WatchResponse response, WatchPump? watch = null, bool endsWatch = false) =>
        _outbox.Writer.WriteAsync(new Outgoing(response, watch, endsWatch), Token);

    private EtcdPb.WatchResponse Response(long watchId, long revision) => new()
    {
        Header = _store.Identity.Header(revision),
        WatchId = watchId,
    };

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        List<WatchPump> pumps;
        lock (_watches)
        {
            pumps = [.. _watches.Values];
            _watches.Clear();
        }
        foreach (var pump in pumps)
        {
            await pump.Watch.DisposeAsync().ConfigureAwait(false);
        }
        await Task.WhenAll(pumps.Select(p => p.Pumping)).ConfigureAwait(false);
        _cts.Dispose();
    }
}
