using StateStore.Kv;

namespace StateStore.Storage.Watch;

/// <summary>
/// Fans each committed revision out to the watchers whose range it touches (etcd's watchableStore):
/// exact-key watchers by dictionary, range watchers by scan. Publishing happens under the store's
/// write lock, in revision order.
/// </summary>
internal sealed class WatchHub(IHistorySource history, int queueLimit)
{
    private readonly Dictionary<byte[], List<Watcher>> _byKey = new(ByteArrayComparer.Instance);
    private readonly List<Watcher> _ranges = [];
    private int _prevKvWatchers;
    private bool _closed;

    /// <summary>Guards every watcher's state and the hub's.</summary>
    public object Gate { get; } = new();

    public IHistorySource History { get; } = history;

    /// <summary>The last revision published.</summary>
    public long Revision { get; private set; }

    /// <summary>The store's compaction point, as last told.</summary>
    public long CompactRevision { get; private set; }

    /// <summary>True when some watcher wants prev_kv, so the writer should look it up.</summary>
    public bool WantsPrevKv => Volatile.Read(ref _prevKvWatchers) > 0;

    /// <summary>Sets the position at open, before any watcher exists.</summary>
    public void Reset(long revision, long compactRevision)
    {
        lock (Gate)
        {
            Revision = revision;
            CompactRevision = compactRevision;
        }
    }

    public Watcher Add(WatchRequest request)
    {
        var filter = new WatchFilter(request);
        lock (Gate)
        {
            var start = request.StartRevision <= 0 ? Revision + 1 : request.StartRevision;
            var watcher = new Watcher(this, filter, start, synced: start > Revision);
            if (_closed)
            {
                watcher.End(WatchEndReason.StoreClosed);
                return watcher;
            }
            if (request.StartRevision > 0 && request.StartRevision < CompactRevision)
            {
                watcher.End(WatchEndReason.Compacted, CompactRevision);
                return watcher;
            }
            if (filter.Range.IsSingleKey)
            {
                if (!_byKey.TryGetValue(filter.Range.Start, out var list))
                {
                    _byKey[filter.Range.Start] = list = [];
                }
                list.Add(watcher);
            }
            else
            {
                _ranges.Add(watcher);
            }
            if (filter.PrevKv)
            {
                _prevKvWatchers++;
            }
            return watcher;
        }
    }

    /// <summary>Delivers one committed revision's events (in execution order) to the watchers.</summary>
    public void Publish(long revision, IReadOnlyList<WatchEvent> events)
    {
        lock (Gate)
        {
            Revision = revision;
            foreach (var watcher in _ranges)
            {
                watcher.Offer(revision, events, queueLimit);
            }
            if (_byKey.Count == 0)
            {
                return;
            }
            foreach (var e in events)
            {
                if (_byKey.TryGetValue(e.Kv.Key, out var watchers))
                {
                    foreach (var watcher in watchers)
                    {
                        // Offer advances NextRevision, so a watcher is offered a revision once.
                        if (watcher.NextRevision <= revision)
                        {
                            watcher.Offer(revision, events, queueLimit);
                        }
                    }
                }
            }
        }
    }

    public void Compacted(long compactRevision)
    {
        lock (Gate)
        {
            CompactRevision = compactRevision;
        }
    }

    /// <summary>Ends one watch and forgets it.</summary>
    public void End(Watcher watcher, WatchEndReason reason, long compactRevision = 0)
    {
        lock (Gate)
        {
            if (watcher.Ended)
            {
                return;
            }
            watcher.End(reason, compactRevision);
            Detach(watcher);
        }
    }

    private void Detach(Watcher watcher)
    {
        if (watcher.Filter.Range.IsSingleKey)
        {
            if (_byKey.TryGetValue(watcher.Filter.Range.Start, out var list))
            {
                list.Remove(watcher);
                if (list.Count == 0)
                {
                    _byKey.Remove(watcher.Filter.Range.Start);
                }
            }
        }
        else
        {
            _ranges.Remove(watcher);
        }
        if (watcher.Filter.PrevKv)
        {
            _prevKvWatchers--;
        }
    }

    /// <summary>Ends every watch: the store is closing.</summary>
    public void Close()
    {
        lock (Gate)
        {
            _closed = true;
            foreach (var watcher in _ranges.Concat(_byKey.Values.SelectMany(l => l)).ToList())
            {
                watcher.End(WatchEndReason.StoreClosed);
            }
            _ranges.Clear();
            _byKey.Clear();
            _prevKvWatchers = 0;
        }
    }
}
