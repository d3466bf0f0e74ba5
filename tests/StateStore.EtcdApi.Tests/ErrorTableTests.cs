using Grpc.Core;
using StateStore.Kv;

namespace StateStore.EtcdApi.Tests;

/// <summary>The one KvStatus → gRPC table, checked against etcd's api/v3rpc/rpctypes/error.go word for word.</summary>
public sealed class ErrorTableTests
{
    public static TheoryData<KvStatus, StatusCode, string> EtcdErrors => new()
    {
        { KvStatus.EmptyKey, StatusCode.InvalidArgument, "etcdserver: key is not provided" },
        { KvStatus.KeyNotFound, StatusCode.InvalidArgument, "etcdserver: key not found" },
        { KvStatus.ValueProvided, StatusCode.InvalidArgument, "etcdserver: value is provided" },
        { KvStatus.LeaseProvided, StatusCode.InvalidArgument, "etcdserver: lease is provided" },
        { KvStatus.TooManyOps, StatusCode.InvalidArgument, "etcdserver: too many operations in txn request" },
        { KvStatus.DuplicateKey, StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request" },
        { KvStatus.RequestTooLarge, StatusCode.InvalidArgument, "etcdserver: request is too large" },
        { KvStatus.Compacted, StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted" },
        { KvStatus.FutureRevision, StatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision" },
        { KvStatus.NoSpace, StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded" },
        { KvStatus.LeaseNotFound, StatusCode.NotFound, "etcdserver: requested lease not found" },
        { KvStatus.NotLeader, StatusCode.Unavailable, "etcdserver: leader changed" },
        { KvStatus.Unavailable, StatusCode.Unavailable, "etcdserver: server stopped" },
        { KvStatus.InvalidArgument, StatusCode.InvalidArgument, "etcdserver: invalid argument" },
        { KvStatus.MemberNotFound, StatusCode.NotFound, "etcdserver: member not found" },
        { KvStatus.PeerUrlExists, StatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists" },
        { KvStatus.NotCapable, StatusCode.FailedPrecondition, "etcdserver: not capable" },
        { KvStatus.LeaseExists, StatusCode.FailedPrecondition, "etcdserver: lease already exists" },
        { KvStatus.LeaseTtlTooLarge, StatusCode.OutOfRange, "etcdserver: too large lease TTL" },
    };

    [Theory]
    [MemberData(nameof(EtcdErrors))]
    public void Each_status_has_etcds_code_and_message(KvStatus status, StatusCode code, string message)
    {
        Assert.Equal((code, message), Errors.Of(status));
        var error = Errors.ToRpc(status);
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    [Fact]
    public void Every_failing_status_is_in_the_table()
    {
        var listed = EtcdErrors.Select(row => (KvStatus)row[0]).ToHashSet();
        var failing = Enum.GetValues<KvStatus>().Where(s => s != KvStatus.Ok);
        Assert.All(failing, status => Assert.Contains(status, listed));
        Assert.All(failing, status => Assert.NotEqual(StatusCode.Unknown, Errors.Of(status).Code));
    }

    [Fact]
    public void Invalid_argument_and_unavailable_carry_their_detail_other_statuses_do_not()
    {
        Assert.Equal("etcdserver: unknown sort order 9", Errors.ToRpc(KvStatus.InvalidArgument, "etcdserver: unknown sort order 9").Status.Detail);
        Assert.Equal("etcdserver: key not found", Errors.ToRpc(KvStatus.KeyNotFound, "some store detail").Status.Detail);
        // Unavailable has several etcd messages; the store's detail names which one applies.
        Assert.Equal("etcdserver: request timed out", Errors.ToRpc(KvStatus.Unavailable, "etcdserver: request timed out").Status.Detail);
        Assert.Equal("etcdserver: server stopped", Errors.ToRpc(KvStatus.Unavailable, "some store detail").Status.Detail);
    }
}
