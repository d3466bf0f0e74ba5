using StateStore.Kv;
using StateStore.Storage.Faster;
using StateStore.Storage.Index;
using StateStore.Storage.Watch;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    /// <summary>Serves watchers that fell behind from the versions in storage, revision by revision.</summary>
    private sealed class HistoryReader(MvccStore store) : IHistorySource
    {
        public KvResult<HistoryPage> ReadHistory(long from, long to, WatchFilter filter, int maxEvents)
        {
            if (!store.TryEnter())
            {
                return KvFailure.Of(KvStatus.Unavailable);
            }
            try
            {
                var events = new List<WatchEvent>();
                var last = from - 1;
                for (var revision = from; revision <= to && events.Count < maxEvents; revision++)
                {
                    for (var sub = 0; store._log.Read(new RevisionKey(revision, sub)) is { } record; sub++)
                    {
                        var e = record.ToEvent(revision, prevKv: null);
                        if (filter.Matches(e))
                        {
                            events.Add(filter.PrevKv ? e with { PrevKv = store.VersionBefore(record.Key, new Revision(revision, sub, record.IsTombstone)) } : e);
                        }
                    }
                    last = revision;
                }
                // Compaction at C never drops versions at or above C: if it is still at or below
                // `from`, every revision read was complete.
                return store.CompactRevision > from ? KvFailure.Of(KvStatus.Compacted) : KvResult<HistoryPage>.Ok(new HistoryPage(events, last));
            }
            finally
            {
                store.Exit();
            }
        }
    }

    /// <summary>The key's live version just before <paramref name="at"/>, if storage still has it.</summary>
    private KeyValue? VersionBefore(byte[] key, Revision at)
    {
        Revision before;
        _indexLock.EnterReadLock();
        try
        {
            if (_index.Get(key) is not { } index || !index.TryGetBefore(at, out before) || before.Tombstone)
            {
                return null;
            }
        }
        finally
        {
            _indexLock.ExitReadLock();
        }
        return _log.Read(before.StorageKey)?.ToKeyValue(before.Main);
    }
}
