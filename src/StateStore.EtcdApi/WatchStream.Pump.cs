using Google.Protobuf;
using StateStore.EtcdApi.Mapping;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

internal sealed partial class WatchStream
{
    /// <summary>Reads one watch until it ends, queueing its events; never throws.</summary>
    private async Task PumpAsync(WatchPump pump)
    {
        try
        {
            while (true)
            {
                var read = pump.Watch.ReadAsync(Token);
                if (!read.IsCompleted)
                {
                    pump.Idle = true;
                }
                WatchResponse delivery;
                try
                {
                    delivery = await read.ConfigureAwait(false);
                }
                finally
                {
                    pump.Idle = false;
                }
                if (delivery.IsEnd)
                {
                    await EndAsync(pump, delivery).ConfigureAwait(false);
                    return;
                }
                foreach (var response in Batches(pump.Id, delivery.Events))
                {
                    await SendAsync(response, pump).ConfigureAwait(false);
                }
                pump.SentSinceTick = delivery.Events.Count > 0 || pump.SentSinceTick;
                pump.Advance(delivery.Revision);
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.WatchStreamFailed(_logger, e);
            await _cts.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The watch ended in the store. A cancel from the client has already answered; a compaction answers
    /// compact_revision with canceled=true (etcd's clients turn it into ErrCompacted); a closed store answers
    /// canceled=true with etcd's "server stopped".
    /// </summary>
    private async Task EndAsync(WatchPump pump, WatchResponse end)
    {
        if (end.EndReason == WatchEndReason.Cancelled || Remove(pump.Id) is not { } removed || removed != pump)
        {
            return;
        }
        await pump.Watch.DisposeAsync().ConfigureAwait(false);
        var response = Response(pump.Id, Math.Max(end.Revision, pump.Covered));
        response.Canceled = true;
        if (end.EndReason == WatchEndReason.Compacted)
        {
            response.CompactRevision = end.CompactRevision;
        }
        else
        {
            response.CancelReason = Errors.Of(KvStatus.Unavailable).Message;
        }
        await SendAsync(response, pump, endsWatch: true).ConfigureAwait(false);
        Log.WatchEnded(_logger, pump.Id, end.EndReason.ToString());
    }

    /// <summary>
    /// The events of one delivery as watch responses, each with the revision of its last event in the header.
    /// A large delivery is split between revisions (never inside one) past the soft size limit.
    /// </summary>
    private IEnumerable<EtcdPb.WatchResponse> Batches(long watchId, IReadOnlyList<WatchEvent> events)
    {
        EtcdPb.WatchResponse? response = null;
        long size = 0;
        long revision = 0;
        foreach (var e in events)
        {
            var proto = e.ToProto();
            var eventSize = proto.CalculateSize();
            if (response is not null && e.Kv.ModRevision != revision && size + eventSize > _options.WatchResponseSoftLimitBytes)
            {
                response.Header = _store.Identity.Header(revision);
                yield return response;
                response = null;
                size = 0;
            }
            response ??= new EtcdPb.WatchResponse { WatchId = watchId };
            response.Events.Add(proto);
            size += eventSize;
            revision = e.Kv.ModRevision;
        }
        if (response is not null)
        {
            response.Header = _store.Identity.Header(revision);
            yield return response;
        }
    }
}
