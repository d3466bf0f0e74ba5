using Google.Protobuf;
using Grpc.Core;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

/// <summary>
/// Binds our service classes to etcd's gRPC methods by hand, with dotnet-etcd's generated message types
/// (the package ships only clients). Grpc.AspNetCore calls each Bind method once with a null service while
/// it builds routes, and then resolves the handler methods by name on a per-call service instance.
/// </summary>
internal static class ServiceBinding
{
    public const string KvServiceName = "etcdserverpb.KV";
    public const string WatchServiceName = "etcdserverpb.Watch";
    public const string MaintenanceServiceName = "etcdserverpb.Maintenance";
    public const string ClusterServiceName = "etcdserverpb.Cluster";
    public const string LeaseServiceName = "etcdserverpb.Lease";

    public static void BindKv(ServiceBinderBase binder, KvService? service)
    {
        binder.AddMethod(Unary<EtcdPb.RangeRequest, EtcdPb.RangeResponse>(KvServiceName, "Range"), service is null ? null : service.Range);
        binder.AddMethod(Unary<EtcdPb.PutRequest, EtcdPb.PutResponse>(KvServiceName, "Put"), service is null ? null : service.Put);
        binder.AddMethod(Unary<EtcdPb.DeleteRangeRequest, EtcdPb.DeleteRangeResponse>(KvServiceName, "DeleteRange"), service is null ? null : service.DeleteRange);
        binder.AddMethod(Unary<EtcdPb.TxnRequest, EtcdPb.TxnResponse>(KvServiceName, "Txn"), service is null ? null : service.Txn);
        binder.AddMethod(Unary<EtcdPb.CompactionRequest, EtcdPb.CompactionResponse>(KvServiceName, "Compact"), service is null ? null : service.Compact);
    }

    public static void BindWatch(ServiceBinderBase binder, WatchService? service) =>
        binder.AddMethod(
            Method<EtcdPb.WatchRequest, EtcdPb.WatchResponse>(MethodType.DuplexStreaming, WatchServiceName, "Watch"),
            service is null ? null : service.Watch);

    public static void BindMaintenance(ServiceBinderBase binder, MaintenanceService? service)
    {
        binder.AddMethod(Unary<EtcdPb.StatusRequest, EtcdPb.StatusResponse>(MaintenanceServiceName, "Status"), service is null ? null : service.Status);
        binder.AddMethod(Unary<EtcdPb.HashKVRequest, EtcdPb.HashKVResponse>(MaintenanceServiceName, "HashKV"), service is null ? null : service.HashKV);
        binder.AddMethod(Unary<EtcdPb.AlarmRequest, EtcdPb.AlarmResponse>(MaintenanceServiceName, "Alarm"), service is null ? null : service.Alarm);
        binder.AddMethod(Unary<EtcdPb.DefragmentRequest, EtcdPb.DefragmentResponse>(MaintenanceServiceName, "Defragment"), service is null ? null : service.Defragment);
    }

    public static void BindCluster(ServiceBinderBase binder, ClusterService? service)
    {
        binder.AddMethod(Unary<EtcdPb.MemberListRequest, EtcdPb.MemberListResponse>(ClusterServiceName, "MemberList"), service is null ? null : service.MemberList);
        binder.AddMethod(Unary<EtcdPb.MemberAddRequest, EtcdPb.MemberAddResponse>(ClusterServiceName, "MemberAdd"), service is null ? null : service.MemberAdd);
        binder.AddMethod(Unary<EtcdPb.MemberRemoveRequest, EtcdPb.MemberRemoveResponse>(ClusterServiceName, "MemberRemove"), service is null ? null : service.MemberRemove);
        binder.AddMethod(Unary<EtcdPb.MemberUpdateRequest, EtcdPb.MemberUpdateResponse>(ClusterServiceName, "MemberUpdate"), service is null ? null : service.MemberUpdate);
        binder.AddMethod(Unary<EtcdPb.MemberPromoteRequest, EtcdPb.MemberPromoteResponse>(ClusterServiceName, "MemberPromote"), service is null ? null : service.MemberPromote);
    }

    public static void BindLease(ServiceBinderBase binder, LeaseService? service)
    {
        binder.AddMethod(Unary<EtcdPb.LeaseGrantRequest, EtcdPb.LeaseGrantResponse>(LeaseServiceName, "LeaseGrant"), service is null ? null : service.LeaseGrant);
        binder.AddMethod(Unary<EtcdPb.LeaseRevokeRequest, EtcdPb.LeaseRevokeResponse>(LeaseServiceName, "LeaseRevoke"), service is null ? null : service.LeaseRevoke);
        binder.AddMethod(
            Method<EtcdPb.LeaseKeepAliveRequest, EtcdPb.LeaseKeepAliveResponse>(MethodType.DuplexStreaming, LeaseServiceName, "LeaseKeepAlive"),
            service is null ? null : service.LeaseKeepAlive);
        binder.AddMethod(Unary<EtcdPb.LeaseTimeToLiveRequest, EtcdPb.LeaseTimeToLiveResponse>(LeaseServiceName, "LeaseTimeToLive"), service is null ? null : service.LeaseTimeToLive);
        binder.AddMethod(Unary<EtcdPb.LeaseLeasesRequest, EtcdPb.LeaseLeasesResponse>(LeaseServiceName, "LeaseLeases"), service is null ? null : service.LeaseLeases);
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string service, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        Method<TRequest, TResponse>(MethodType.Unary, service, name);

    private static Method<TRequest, TResponse> Method<TRequest, TResponse>(MethodType type, string service, string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(type, service, name, Codec<TRequest>.Instance, Codec<TResponse>.Instance);

    /// <summary>
    /// Contextual, as protoc's generated services are: a response is written straight into the HTTP/2 output pipe
    /// and a request parsed from the received frames. The plain byte[] form copied every message once more, and a
    /// range of 1,000 keys (~300 KB) became a large-object-heap array per call.
    /// </summary>
    private static class Codec<T> where T : class, IMessage<T>, new()
    {
        private static readonly MessageParser<T> Parser = new(() => new T());

        public static readonly Marshaller<T> Instance = Marshallers.Create<T>(Serialize, context => Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

        private static void Serialize(T message, SerializationContext context)
        {
            context.SetPayloadLength(message.CalculateSize());
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        }
    }
}
