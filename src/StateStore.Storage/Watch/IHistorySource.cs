using StateStore.Kv;

namespace StateStore.Storage.Watch;

/// <summary>What a watcher that fell behind reads its missed revisions from.</summary>
internal interface IHistorySource
{
    /// <summary>
    /// The events of revisions [from, to] matching the watch, whole revisions only, stopping after
    /// about <paramref name="maxEvents"/> events; the last revision covered comes back with them.
    /// Compacted when any of those revisions was compacted away.
    /// </summary>
    KvResult<HistoryPage> ReadHistory(long from, long to, WatchFilter filter, int maxEvents);
}

/// <summary>A page of history: events in revision order, and the last revision it covers.</summary>
internal sealed record HistoryPage(List<WatchEvent> Events, long LastRevision);
