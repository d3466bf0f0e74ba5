using StateStore.Kv;

namespace StateStore.Testing.Model;

// Watches compute what they deliver from the history each time they are read: every matching change
// from the watch's next revision up to the current one, in one response. A reader with nothing to read
// waits for the signal every write (and compaction, cancel and close) fires.
public sealed partial class ModelKvStore
{
    public ValueTask<KvResult<IKvWatch>> WatchAsync(WatchRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return new(Fail(KvStatus.Unavailable));
            }
            if (request.Key.Length == 0)
            {
                return new(Fail(KvStatus.EmptyKey));
            }
            var watch = new ModelWatch(this, request, request.StartRevision <= 0 ? _revision + 1 : request.StartRevision);
            if (request.StartRevision > 0 && request.StartRevision < _compactRevision)
            {
                // Ended now, so it names the compaction point of now.
                watch.EndLocked(WatchEndReason.Compacted);
            }
            _watches.Add(watch);
            return new(KvResult<IKvWatch>.Ok(watch));
        }
    }

    public ValueTask<KvResult<HashKvResponse>> HashKvAsync(long revision, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return new(Fail(KvStatus.Unavailable));
            }
            var at = revision <= 0 ? _revision : revision;
            if (at > _revision)
            {
                return new(Fail(KvStatus.FutureRevision));
            }
            if (at < _compactRevision)
            {
                return new(Fail(KvStatus.Compacted));
            }
            // FNV-1a over every version still stored at or below `at`, in history order. A version
            // below the compaction point is stored only while it is its key's live version there.
            var hash = 2166136261u;
            void Add(ReadOnlySpan<byte> bytes)
            {
                foreach (var b in bytes)
                {
                    hash = (hash ^ b) * 16777619u;
                }
            }
            void AddNumber(long n) => Add(BitConverter.GetBytes(n));
            foreach (var change in _history.Where(c => c.Revision <= at && IsStored(c)))
            {
                AddNumber(change.Key.Length);
                Add(change.Key);
                AddNumber(change.Value.Length);
                Add(change.Value);
                AddNumber(change.CreateRevision);
                AddNumber(change.Revision);
                AddNumber(change.SubRevision);
                AddNumber(change.Version);
                AddNumber(change.Lease);
                AddNumber(change.IsDelete ? 1 : 0);
            }
            // The response names the revision hashed (etcd's hash_revision); the docs leave it open.
            return new(KvResult<HashKvResponse>.Ok(new HashKvResponse(at, hash, _compactRevision)));
        }
    }

    private bool IsStored(Change change) =>
        change.Revision >= _compactRevision
        || (!change.IsDelete && ReferenceEquals(Latest(_history, change.Key, _compactRevision), change));

    /// <summary>The events of changes from <paramref name="from"/> on that the watch asked for.</summary>
    private List<WatchEvent> EventsLocked(WatchRequest request, long from)
    {
        var range = KeyRange.From(request.Key, request.RangeEnd);
        var events = new List<WatchEvent>();
        for (var i = 0; i < _history.Count; i++)
        {
            var change = _history[i];
            if (change.Revision < from || !range.Contains(change.Key)
                || (change.IsDelete ? request.NoDelete : request.NoPut))
            {
                continue;
            }
            var kv = change.IsDelete ? new KeyValue(change.Key, Bytes.Empty, 0, change.Revision, 0, 0) : change.ToKeyValue();
            // The previous version is what the key was just before this change; the store still has it
            // exactly when a read at the revision before is allowed.
            KeyValue? previous = null;
            if (request.PrevKv && change.Revision - 1 >= _compactRevision)
            {
                previous = _history.Take(i).LastOrDefault(c => Same(c.Key, change.Key)) is { IsDelete: false } before
                    ? before.ToKeyValue()
                    : null;
            }
            events.Add(new WatchEvent(change.IsDelete ? EventType.Delete : EventType.Put, kv, previous));
        }
        return events;
    }

    /// <summary>
    /// A watch on the model. It reads from history, never from a queue, so it behaves like a store's
    /// watcher that has fallen back to catching up from storage: if the compaction point passes the
    /// revision it has yet to deliver, it ends Compacted (a store's live watcher with queued events
    /// would deliver them instead).
    /// </summary>
    public sealed class ModelWatch : IKvWatch
    {
        private readonly ModelKvStore _store;
        private readonly WatchRequest _request;
        private long _next;
        private WatchResponse? _end;

        internal ModelWatch(ModelKvStore store, WatchRequest request, long next)
        {
            _store = store;
            _request = request;
            _next = next;
        }

        /// <summary>The next delivery when one is ready now, otherwise null (never waits).</summary>
        public WatchResponse? TryRead()
        {
            lock (_store._gate)
            {
                return TakeLocked();
            }
        }

        public async ValueTask<WatchResponse> ReadAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Task signal;
                lock (_store._gate)
                {
                    if (TakeLocked() is { } response)
                    {
                        return response;
                    }
                    signal = _store._changed.Task;
                }
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public ValueTask DisposeAsync()
        {
            lock (_store._gate)
            {
                EndLocked(WatchEndReason.Cancelled);
                _store._watches.Remove(this);
                _store.SignalLocked();
            }
            return ValueTask.CompletedTask;
        }

        internal void EndLocked(WatchEndReason reason)
        {
            _end ??= new WatchResponse(
                [],
                _store._revision,
                reason,
                reason == WatchEndReason.Compacted ? _store._compactRevision : 0);
        }

        private WatchResponse? TakeLocked()
        {
            if (_end is null && _next < _store._compactRevision)
            {
                EndLocked(WatchEndReason.Compacted);
            }
            if (_end is not null)
            {
                return _end;
            }
            var events = _store.EventsLocked(_request, _next);
            _next = Math.Max(_next, _store._revision + 1);
            return events.Count > 0 ? new WatchResponse(events, _store._revision) : null;
        }
    }
}
