using StateStore.EtcdApi.Mapping;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

internal sealed partial class WatchStream
{
    /// <summary>
    /// Creates a watch and answers created=true with its id, before any of its events. A watch "from now"
    /// starts right after the revision its created response names, so a client that resumes from that
    /// header revision misses nothing. Failures answer created=true, canceled=true, watch_id=-1 and a
    /// cancel_reason, as etcd's watch server does.
    /// </summary>
    private async Task CreateAsync(EtcdPb.WatchCreateRequest create)
    {
        var current = await _store.CurrentRevisionAsync(Token).ConfigureAwait(false);
        if (create.StartRevision < 0)
        {
            await RefuseAsync(current, Errors.Of(KvStatus.Compacted).Message).ConfigureAwait(false);
            return;
        }
        var request = create.ToContract(create.StartRevision > 0 ? create.StartRevision : current + 1);
        if (request.IsEmptyRange())
        {
            await RefuseAsync(current, "mvcc: watcher range is empty").ConfigureAwait(false);
            return;
        }
        long id;
        lock (_watches)
        {
            if (create.WatchId == 0)
            {
                while (_watches.ContainsKey(_nextId))
                {
                    _nextId++;
                }
                id = _nextId++;
            }
            else if (_watches.ContainsKey(create.WatchId))
            {
                id = InvalidWatchId;
            }
            else
            {
                id = create.WatchId;
            }
        }
        if (id == InvalidWatchId)
        {
            await RefuseAsync(current, "mvcc: duplicate watch ID provided on the WatchStream").ConfigureAwait(false);
            return;
        }
        var watch = await _store.WatchAsync(request, Token).ConfigureAwait(false);
        if (!watch.IsOk)
        {
            await RefuseAsync(current, Errors.Of(watch.Status).Message).ConfigureAwait(false);
            return;
        }
        var pump = new WatchPump(id, watch.Value, create.ProgressNotify, covered: request.StartRevision - 1);
        lock (_watches)
        {
            _watches[id] = pump;
        }
        var created = Response(id, current);
        created.Created = true;
        await SendAsync(created, pump).ConfigureAwait(false);
        Log.WatchCreated(_logger, id, KeyRange.From(request.Key, request.RangeEnd).ToString(), request.StartRevision);
        pump.Pumping = PumpAsync(pump);
    }

    private ValueTask RefuseAsync(long current, string reason)
    {
        var refused = Response(InvalidWatchId, current);
        refused.Created = true;
        refused.Canceled = true;
        refused.CancelReason = reason;
        return SendAsync(refused);
    }

    /// <summary>Cancels a watch of this stream and answers canceled=true; an unknown id gets no answer, as in etcd.</summary>
    private async Task CancelAsync(long watchId)
    {
        if (Remove(watchId) is not { } pump)
        {
            return;
        }
        await pump.Watch.DisposeAsync().ConfigureAwait(false);
        var current = await _store.CurrentRevisionAsync(Token).ConfigureAwait(false);
        var canceled = Response(watchId, current);
        canceled.Canceled = true;
        await SendAsync(canceled, pump, endsWatch: true).ConfigureAwait(false);
        Log.WatchEnded(_logger, watchId, "canceled by the client");
    }

    private WatchPump? Remove(long watchId)
    {
        lock (_watches)
        {
            return _watches.Remove(watchId, out var pump) ? pump : null;
        }
    }

    /// <summary>
    /// Answers a progress request with watch_id -1 and a header revision R such that every event at or below
    /// R of every watch on the stream has been sent before it: the current revision, lowered to what a
    /// watch that is still delivering has covered.
    /// </summary>
    private async Task ProgressAsync()
    {
        var revision = await _store.CurrentRevisionAsync(Token).ConfigureAwait(false);
        lock (_watches)
        {
            foreach (var pump in _watches.Values)
            {
                if (!pump.Idle)
                {
                    revision = Math.Min(revision, pump.Covered);
                }
            }
        }
        await SendAsync(Response(InvalidWatchId, revision)).ConfigureAwait(false);
    }

    /// <summary>
    /// etcd's periodic progress notification: each tick, a watch created with progress_notify that is caught
    /// up and sent no events since the last tick hears the current revision (with its own watch id).
    /// </summary>
    private async Task ProgressLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.ProgressNotifyInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(Token).ConfigureAwait(false))
            {
                var current = await _store.CurrentRevisionAsync(Token).ConfigureAwait(false);
                List<WatchPump> due;
                lock (_watches)
                {
                    due = _watches.Values.Where(p => p.ProgressNotify && p.Idle && !p.SentSinceTick).ToList();
                    foreach (var pump in _watches.Values)
                    {
                        pump.SentSinceTick = false;
                    }
                }
                foreach (var pump in due)
                {
                    await SendAsync(Response(pump.Id, current), pump).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
        }
        catch (Grpc.Core.RpcException)
        {
            // The store is unavailable: no more notifications on this stream; the watches end on their own.
        }
    }
}
