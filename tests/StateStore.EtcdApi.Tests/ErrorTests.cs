using Etcdserverpb;
using Grpc.Core;
using KvStatus = StateStore.Kv.KvStatus;

namespace StateStore.EtcdApi.Tests;

/// <summary>
/// Every error of the table through a real call, with etcd's code and message, and the store unchanged
/// afterwards: the revision does not move and the data is what it was.
/// </summary>
public sealed class ErrorTests : EtcdApiTestBase
{
    private async Task AssertFailsUnchangedAsync(StatusCode code, string message, Func<Task> call)
    {
        var before = await RevisionAsync();
        await AssertFailsAsync(code, message, call);
        Assert.Equal(before, await RevisionAsync());
    }

    private Task Put(PutRequest request) => Host.Kv.PutAsync(request, cancellationToken: Timeout).ResponseAsync;

    private Task Txn(TxnRequest request) => Host.Kv.TxnAsync(request, cancellationToken: Timeout).ResponseAsync;

    [Fact]
    public async Task Empty_keys_are_refused()
    {
        const string message = "etcdserver: key is not provided";
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, message, () => GetAsync(new RangeRequest()));
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, message, () => Put(new PutRequest { Value = B("v") }));
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, message,
            () => Host.Kv.DeleteRangeAsync(new DeleteRangeRequest(), cancellationToken: Timeout).ResponseAsync);
    }

    [Fact]
    public async Task Ignore_value_and_ignore_lease_errors_change_nothing()
    {
        await PutAsync("k", "v");
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: key not found",
            () => Put(new PutRequest { Key = B("missing"), IgnoreValue = true }));
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: value is provided",
            () => Put(new PutRequest { Key = B("k"), Value = B("x"), IgnoreValue = true }));
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: lease is provided",
            () => Put(new PutRequest { Key = B("k"), Lease = 5, IgnoreLease = true }));
        Assert.Equal("v", S((await GetAsync(new RangeRequest { Key = B("k") })).Kvs[0].Value));
    }

    [Fact]
    public async Task Txn_validation_errors_change_nothing()
    {
        var tooMany = new TxnRequest();
        for (var i = 0; i < 129; i++)
        {
            tooMany.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B($"k{i}"), Value = B("v") } });
        }
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: too many operations in txn request", () => Txn(tooMany));

        var duplicate = new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = B("d"), Value = B("1") } },
                new RequestOp { RequestPut = new PutRequest { Key = B("d"), Value = B("2") } },
            },
        };
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request", () => Txn(duplicate));

        var emptyCompareKey = new TxnRequest { Compare = { new Compare { Target = Compare.Types.CompareTarget.Version } } };
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: key is not provided", () => Txn(emptyCompareKey));
        Assert.Equal(0, (await GetAsync(new RangeRequest { Key = B("\0"), RangeEnd = B("\0"), CountOnly = true })).Count);
    }

    [Fact]
    public async Task Oversized_requests_get_etcds_request_too_large_not_a_transport_error()
    {
        var value = new string('x', EtcdApiOptions.MaxRequestBytes + 1);
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: request is too large", () => PutAsync("big", value));

        var txn = new TxnRequest();
        for (var i = 0; i < 2; i++)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B($"big{i}"), Value = B(new string('y', 900 * 1024)) } });
        }
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: request is too large", () => Txn(txn));
    }

    [Fact]
    public async Task Compacted_and_future_revisions_are_out_of_range()
    {
        await PutAsync("k", "1");
        await PutAsync("k", "2");
        await Host.Kv.CompactAsync(new CompactionRequest { Revision = 3 }, cancellationToken: Timeout);

        const string compacted = "etcdserver: mvcc: required revision has been compacted";
        const string future = "etcdserver: mvcc: required revision is a future revision";
        await AssertFailsUnchangedAsync(StatusCode.OutOfRange, compacted, () => GetAsync(new RangeRequest { Key = B("k"), Revision = 2 }));
        await AssertFailsUnchangedAsync(StatusCode.OutOfRange, future, () => GetAsync(new RangeRequest { Key = B("k"), Revision = 4 }));
        await AssertFailsUnchangedAsync(StatusCode.OutOfRange, compacted,
            () => Host.Kv.CompactAsync(new CompactionRequest { Revision = 3 }, cancellationToken: Timeout).ResponseAsync);
        await AssertFailsUnchangedAsync(StatusCode.OutOfRange, future,
            () => Host.Kv.CompactAsync(new CompactionRequest { Revision = 9 }, cancellationToken: Timeout).ResponseAsync);
        await AssertFailsUnchangedAsync(StatusCode.OutOfRange, compacted,
            () => Txn(new TxnRequest { Success = { new RequestOp { RequestRange = new RangeRequest { Key = B("k"), Revision = 1 } } } }));
        await AssertFailsUnchangedAsync(StatusCode.OutOfRange, compacted,
            () => Host.Maintenance.HashKVAsync(new HashKVRequest { Revision = 2 }, cancellationToken: Timeout).ResponseAsync);
    }

    [Fact]
    public async Task Malformed_requests_are_invalid_arguments_and_change_nothing()
    {
        await PutAsync("k", "v");
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: unknown sort order 7",
            () => GetAsync(new RangeRequest { Key = B("k"), SortOrder = (RangeRequest.Types.SortOrder)7 }));
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: unknown sort target 9",
            () => GetAsync(new RangeRequest { Key = B("k"), SortTarget = (RangeRequest.Types.SortTarget)9 }));

        var put = new RequestOp { RequestPut = new PutRequest { Key = B("k"), Value = B("changed") } };
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: unknown compare target 8", () => Txn(new TxnRequest
        {
            Compare = { new Compare { Key = B("k"), Target = (Compare.Types.CompareTarget)8 } },
            Success = { put },
        }));
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: unknown compare result 6", () => Txn(new TxnRequest
        {
            Compare = { new Compare { Key = B("k"), Result = (Compare.Types.CompareResult)6 } },
            Success = { put },
        }));
        // etcd's checkRequestOp answers an operation with nothing set ErrGRPCKeyNotFound.
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: key not found",
            () => Txn(new TxnRequest { Success = { put, new RequestOp() } }));
        await AssertFailsUnchangedAsync(StatusCode.InvalidArgument, "etcdserver: key not found",
            () => Txn(new TxnRequest { Failure = { new RequestOp { RequestTxn = new TxnRequest { Success = { new RequestOp() } } } } }));
        Assert.Equal("v", S((await GetAsync(new RangeRequest { Key = B("k") })).Kvs[0].Value));
    }

    [Theory]
    [InlineData(KvStatus.NoSpace, StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded")]
    [InlineData(KvStatus.NotLeader, StatusCode.Unavailable, "etcdserver: leader changed")]
    [InlineData(KvStatus.LeaseNotFound, StatusCode.NotFound, "etcdserver: requested lease not found")]
    [InlineData(KvStatus.Unavailable, StatusCode.Unavailable, "etcdserver: server stopped")]
    public async Task Injected_store_failures_reach_the_client_with_etcds_code(KvStatus status, StatusCode code, string message)
    {
        await PutAsync("k", "v");
        Store.FailWith = status;
        await AssertFailsAsync(code, message, () => PutAsync("k", "changed"));
        await AssertFailsAsync(code, message, () => Txn(new TxnRequest()));
        await AssertFailsAsync(code, message, () => GetAsync(new RangeRequest { Key = B("k") }));
        Store.FailWith = null;
        Assert.Equal(2, await RevisionAsync());
        Assert.Equal("v", S((await GetAsync(new RangeRequest { Key = B("k") })).Kvs[0].Value));
    }

    [Fact]
    public async Task A_closed_store_answers_server_stopped()
    {
        await PutAsync("k", "v");
        await CloseStoreAsync();
        await AssertFailsAsync(StatusCode.Unavailable, "etcdserver: server stopped", () => PutAsync("k", "v2"));
    }
}
