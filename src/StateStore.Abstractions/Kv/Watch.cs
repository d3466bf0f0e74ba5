namespace StateStore.Kv;

/// <summary>etcd's WatchCreateRequest, as the store sees it.</summary>
public sealed record WatchRequest
{
    public required byte[] Key { get; init; }
    public byte[]? RangeEnd { get; init; }
    /// <summary>First revision to deliver (≤ 0: the next one to be written).</summary>
    public long StartRevision { get; init; }
    public bool PrevKv { get; init; }
    public bool NoPut { get; init; }
    public bool NoDelete { get; init; }
}

/// <summary>The kind of a watch event (etcd mvccpb.Event.EventType).</summary>
public enum EventType
{
    Put = 0,
    Delete = 1,
}

/// <summary>
/// One change. For a delete, <see cref="Kv"/> carries the key and the deleting revision as its
/// ModRevision, with an empty value, as etcd sends it.
/// </summary>
public sealed record WatchEvent(EventType Type, KeyValue Kv, KeyValue? PrevKv);

/// <summary>Why a watch ended.</summary>
public enum WatchEndReason
{
    /// <summary>The watch is still going.</summary>
    None = 0,
    /// <summary>The watch asked for revisions below the compaction point; see CompactRevision.</summary>
    Compacted,
    /// <summary>The watch was cancelled by its owner.</summary>
    Cancelled,
    /// <summary>The store shut down.</summary>
    StoreClosed,
}

/// <summary>
/// One delivery on a watch: the events of one or more whole revisions, in revision order, or the
/// end of the watch. <see cref="Revision"/> is the last revision the watch has covered.
/// </summary>
public sealed record WatchResponse(
    IReadOnlyList<WatchEvent> Events,
    long Revision,
    WatchEndReason EndReason = WatchEndReason.None,
    long CompactRevision = 0)
{
    public bool IsEnd => EndReason != WatchEndReason.None;
}

/// <summary>A running watch. Read it until it ends; dispose it to cancel.</summary>
public interface IKvWatch : IAsyncDisposable
{
    /// <summary>The next delivery: events, or the end of the watch (after which reads keep returning the end).</summary>
    ValueTask<WatchResponse> ReadAsync(CancellationToken cancellationToken = default);
}
