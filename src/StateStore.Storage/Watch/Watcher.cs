using StateStore.Kv;

namespace StateStore.Storage.Watch;

/// <summary>
/// One watch. While synced, the hub pushes each matching revision into its queue; when the queue
/// is full, or the watch starts in the past, it is unsynced and its reader pulls the missed
/// revisions from storage until it has caught up, then it is synced again. Nothing is skipped.
/// All mutable state is guarded by the hub's gate; one reader at a time.
/// </summary>
internal sealed class Watcher : IKvWatch
{
    private const int CatchUpPageEvents = 1000;

    private readonly WatchHub _hub;
    private readonly Queue<WatchResponse> _queue = new();
    private TaskCompletionSource? _waiter;
    private WatchResponse? _end;

    public Watcher(WatchHub hub, WatchFilter filter, long nextRevision, bool synced)
    {
        _hub = hub;
        Filter = filter;
        NextRevision = nextRevision;
        Synced = synced;
    }

    public WatchFilter Filter { get; }

    /// <summary>The first revision not yet queued or delivered.</summary>
    public long NextRevision { get; private set; }

    /// <summary>True while the hub pushes events; false while the reader catches up from storage.</summary>
    public bool Synced { get; private set; }

    public bool Ended => _end is not null;

    /// <summary>Called by the hub, under its gate, for each published revision.</summary>
    public void Offer(long revision, IReadOnlyList<WatchEvent> events, int queueLimit)
    {
        if (!Synced || _end is not null || revision < NextRevision)
        {
            return;
        }
        var selected = Filter.Select(events);
        if (selected.Count == 0)
        {
            NextRevision = revision + 1;
            return;
        }
        if (_queue.Count >= queueLimit)
        {
            // Too far behind to buffer more: the reader will fetch this revision and later ones from storage.
            Synced = false;
            return;
        }
        _queue.Enqueue(new WatchResponse(selected, revision));
        NextRevision = revision + 1;
        Wake();
    }

    /// <summary>Ends the watch (the hub calls it under its gate); pending events are dropped.</summary>
    public void End(WatchEndReason reason, long compactRevision = 0)
    {
        if (_end is not null)
        {
            return;
        }
        _end = new WatchResponse([], NextRevision - 1, reason, compactRevision);
        _queue.Clear();
        Wake();
    }

    private void Wake()
    {
        var waiter = _waiter;
        _waiter = null;
        waiter?.TrySetResult();
    }

    public async ValueTask<WatchResponse> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            long catchUpFrom;
            long catchUpTo;
            lock (_hub.Gate)
            {
                if (_queue.TryDequeue(out var queued))
                {
                    return queued;
                }
                if (_end is not null)
                {
                    return _end;
                }
                if (Synced)
                {
                    _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _waiter.Task;
                    catchUpFrom = catchUpTo = 0;
                }
                else
                {
                    wait = Task.CompletedTask;
                    catchUpFrom = NextRevision;
                    catchUpTo = _hub.Revision;
                }
            }
            if (catchUpFrom == 0)
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (CatchUp(catchUpFrom, catchUpTo) is { } response)
            {
                return response;
            }
        }
    }

    /// <summary>Reads one page of missed revisions; returns what to deliver, or null to look again.</summary>
    private WatchResponse? CatchUp(long from, long to)
    {
        var page = from <= to
            ? _hub.History.ReadHistory(from, to, Filter, CatchUpPageEvents)
            : KvResult<HistoryPage>.Ok(new HistoryPage([], to));
        lock (_hub.Gate)
        {
            if (_end is not null)
            {
                return _end;
            }
            if (!page.IsOk)
            {
                var reason = page.Status == KvStatus.Compacted ? WatchEndReason.Compacted : WatchEndReason.StoreClosed;
                _hub.End(this, reason, reason == WatchEndReason.Compacted ? _hub.CompactRevision : 0);
                return _end;
            }
            NextRevision = page.Value.LastRevision + 1;
            if (NextRevision > _hub.Revision)
            {
                Synced = true;
            }
            return page.Value.Events.Count == 0 ? null : new WatchResponse(page.Value.Events, page.Value.LastRevision);
        }
    }

    public ValueTask DisposeAsync()
    {
        _hub.End(this, WatchEndReason.Cancelled);
        return ValueTask.CompletedTask;
    }
}
