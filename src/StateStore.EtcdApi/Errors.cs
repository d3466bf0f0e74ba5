using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using StateStore.Kv;

namespace StateStore.EtcdApi;

/// <summary>
/// The one table from <see cref="KvStatus"/> to the wire: gRPC status code and etcd's message, as
/// etcd's <c>api/v3rpc/rpctypes/error.go</c> (codes and messages) and
/// <c>server/etcdserver/api/v3rpc/util.go</c> (which server error becomes which) have them.
/// </summary>
internal static class Errors
{
    /// <summary>The status code and message etcd answers for <paramref name="status"/>.</summary>
    public static (StatusCode Code, string Message) Of(KvStatus status) => status switch
    {
        KvStatus.EmptyKey => (StatusCode.InvalidArgument, "etcdserver: key is not provided"),
        KvStatus.KeyNotFound => (StatusCode.InvalidArgument, "etcdserver: key not found"),
        KvStatus.ValueProvided => (StatusCode.InvalidArgument, "etcdserver: value is provided"),
        KvStatus.LeaseProvided => (StatusCode.InvalidArgument, "etcdserver: lease is provided"),
        KvStatus.TooManyOps => (StatusCode.InvalidArgument, "etcdserver: too many operations in txn request"),
        KvStatus.DuplicateKey => (StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request"),
        KvStatus.RequestTooLarge => (StatusCode.InvalidArgument, "etcdserver: request is too large"),
        KvStatus.Compacted => (StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted"),
        KvStatus.FutureRevision => (StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision"),
        KvStatus.NoSpace => (StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded"),
        KvStatus.LeaseNotFound => (StatusCode.NotFound, "etcdserver: requested lease not found"),
        KvStatus.LeaseExists => (StatusCode.FailedPrecondition, "etcdserver: lease already exists"),
        KvStatus.LeaseTtlTooLarge => (StatusCode.OutOfRange, "etcdserver: too large lease TTL"),
        // etcd's ErrGRPCLeaderChanged: a write lost its leader; Unavailable so that clients retry it.
        KvStatus.NotLeader => (StatusCode.Unavailable, "etcdserver: leader changed"),
        KvStatus.Unavailable => (StatusCode.Unavailable, "etcdserver: server stopped"),
        KvStatus.InvalidArgument => (StatusCode.InvalidArgument, "etcdserver: invalid argument"),
        KvStatus.MemberNotFound => (StatusCode.NotFound, "etcdserver: member not found"),
        KvStatus.PeerUrlExists => (StatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists"),
        KvStatus.NotCapable => (StatusCode.FailedPrecondition, "etcdserver: not capable"),
        _ => (StatusCode.Unknown, KvErrors.MessageOf(status)),
    };

    /// <summary>
    /// The exception that answers a failed request. <see cref="KvStatus.InvalidArgument"/> carries its own detail
    /// (etcd has no single message for malformed requests), <see cref="KvStatus.Unavailable"/> the etcd message
    /// its detail names; every other status says etcd's words.
    /// </summary>
    public static RpcException ToRpc(KvStatus status, string? detail = null)
    {
        var (code, message) = Of(status);
        // Malformed requests name what is wrong; Unavailable says which of etcd's messages applies
        // ("request timed out", "no leader", "leader changed", "server stopped").
        var useDetail = !string.IsNullOrEmpty(detail)
            && (status == KvStatus.InvalidArgument || (status == KvStatus.Unavailable && detail.StartsWith("etcdserver: ", StringComparison.Ordinal)));
        if (useDetail)
        {
            message = detail!;
        }
        return new RpcException(new Status(code, message), message);
    }

    /// <summary>Throws the answer to a failed request.</summary>
    [DoesNotReturn]
    public static void Throw(KvStatus status, string? detail = null) => throw ToRpc(status, detail);

    /// <summary>Throws <see cref="KvStatus.InvalidArgument"/> with a detail naming what is malformed.</summary>
    [DoesNotReturn]
    public static T Invalid<T>(string detail) => throw ToRpc(KvStatus.InvalidArgument, detail);

    /// <summary>The value of a successful result; throws the mapped error otherwise.</summary>
    public static T ValueOrThrow<T>(this KvResult<T> result)
    {
        if (!result.IsOk)
        {
            Throw(result.Status, result.Error);
        }
        return result.Value;
    }
}
