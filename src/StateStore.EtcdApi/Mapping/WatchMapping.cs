using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi.Mapping;

/// <summary>Watch requests and events between etcd's messages and the contract.</summary>
internal static class WatchMapping
{
    /// <summary>
    /// etcd's WatchCreateRequest as the store sees it. As etcd's watch server: an empty key means "\0" (the
    /// smallest key); unknown filter values are ignored. <paramref name="startRevision"/> is already resolved.
    /// </summary>
    public static WatchRequest ToContract(this EtcdPb.WatchCreateRequest create, long startRevision) => new()
    {
        Key = create.Key.IsEmpty ? [0] : create.Key.ToByteArray(),
        RangeEnd = create.RangeEnd.ToRangeEnd(),
        StartRevision = startRevision,
        PrevKv = create.PrevKv,
        NoPut = create.Filters.Contains(EtcdPb.WatchCreateRequest.Types.FilterType.Noput),
        NoDelete = create.Filters.Contains(EtcdPb.WatchCreateRequest.Types.FilterType.Nodelete),
    };

    /// <summary>True when the create names a range with nothing in it (etcd's ErrEmptyWatcherRange).</summary>
    public static bool IsEmptyRange(this WatchRequest request) => KeyRange.From(request.Key, request.RangeEnd).IsEmpty;

    public static Mvccpb.Event ToProto(this WatchEvent e) => new()
    {
        Type = e.Type == EventType.Put ? Mvccpb.Event.Types.EventType.Put : Mvccpb.Event.Types.EventType.Delete,
        Kv = e.Kv.ToProto(),
        PrevKv = e.PrevKv?.ToProto(),
    };
}
