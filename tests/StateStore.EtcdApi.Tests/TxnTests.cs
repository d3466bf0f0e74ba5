using Etcdserverpb;

namespace StateStore.EtcdApi.Tests;

/// <summary>Txn through the wire: compares on every target, both branches, nested txns, and each response kind.</summary>
public sealed class TxnTests : EtcdApiTestBase
{
    private static RequestOp Put(string key, string value) => new() { RequestPut = new PutRequest { Key = B(key), Value = B(value) } };

    private static RequestOp Get(string key) => new() { RequestRange = new RangeRequest { Key = B(key) } };

    private async Task<TxnResponse> TxnAsync(TxnRequest request) => await Host.Kv.TxnAsync(request, cancellationToken: Timeout);

    [Fact]
    public async Task Compares_choose_the_branch_and_every_response_kind_comes_back()
    {
        await PutAsync("k", "v1"); // 2
        var txn = await TxnAsync(new TxnRequest
        {
            Compare = { new Compare { Key = B("k"), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = B("v1") } },
            Success =
            {
                Put("k", "v2"),
                Get("k"),
                new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B("gone"), PrevKv = true } },
                new RequestOp { RequestTxn = new TxnRequest { Success = { Put("nested", "n") } } },
            },
            Failure = { Put("k", "failure") },
        });
        Assert.True(txn.Succeeded);
        AssertHeader(txn.Header, 3);
        Assert.Equal(
            [ResponseOp.ResponseOneofCase.ResponsePut, ResponseOp.ResponseOneofCase.ResponseRange, ResponseOp.ResponseOneofCase.ResponseDeleteRange, ResponseOp.ResponseOneofCase.ResponseTxn],
            txn.Responses.Select(r => r.ResponseCase));
        Assert.Equal(3, txn.Responses[0].ResponsePut.Header.Revision);
        Assert.Equal(("v2", 3L), (S(txn.Responses[1].ResponseRange.Kvs[0].Value), txn.Responses[1].ResponseRange.Kvs[0].ModRevision));
        Assert.Equal(0, txn.Responses[2].ResponseDeleteRange.Deleted);
        var nested = txn.Responses[3].ResponseTxn;
        Assert.True(nested.Succeeded);
        Assert.Equal(3, nested.Responses[0].ResponsePut.Header.Revision);

        var failed = await TxnAsync(new TxnRequest
        {
            Compare = { new Compare { Key = B("k"), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = B("v1") } },
            Success = { Put("k", "success") },
            Failure = { Get("k") },
        });
        Assert.False(failed.Succeeded);
        AssertHeader(failed.Header, 3);
        Assert.Equal("v2", S(failed.Responses[0].ResponseRange.Kvs[0].Value));
    }

    [Theory]
    [InlineData(Compare.Types.CompareTarget.Version, Compare.Types.CompareResult.Equal, 2, true)]
    [InlineData(Compare.Types.CompareTarget.Version, Compare.Types.CompareResult.Greater, 2, false)]
    [InlineData(Compare.Types.CompareTarget.Create, Compare.Types.CompareResult.Equal, 2, true)]
    [InlineData(Compare.Types.CompareTarget.Create, Compare.Types.CompareResult.Less, 2, false)]
    [InlineData(Compare.Types.CompareTarget.Mod, Compare.Types.CompareResult.Equal, 3, true)]
    [InlineData(Compare.Types.CompareTarget.Mod, Compare.Types.CompareResult.NotEqual, 3, false)]
    [InlineData(Compare.Types.CompareTarget.Mod, Compare.Types.CompareResult.Less, 4, true)]
    [InlineData(Compare.Types.CompareTarget.Lease, Compare.Types.CompareResult.Equal, 0, true)]
    [InlineData(Compare.Types.CompareTarget.Lease, Compare.Types.CompareResult.Greater, 0, false)]
    public async Task Each_compare_target_reads_its_own_operand(Compare.Types.CompareTarget target, Compare.Types.CompareResult result, long operand, bool holds)
    {
        await PutAsync("k", "v1"); // create 2
        await PutAsync("k", "v2"); // mod 3, version 2
        var compare = new Compare { Key = B("k"), Target = target, Result = result };
        switch (target)
        {
            case Compare.Types.CompareTarget.Version: compare.Version = operand; break;
            case Compare.Types.CompareTarget.Create: compare.CreateRevision = operand; break;
            case Compare.Types.CompareTarget.Mod: compare.ModRevision = operand; break;
            case Compare.Types.CompareTarget.Lease: compare.Lease = operand; break;
        }
        var txn = await TxnAsync(new TxnRequest { Compare = { compare } });
        Assert.Equal(holds, txn.Succeeded);
        AssertHeader(txn.Header, 3);
    }

    [Fact]
    public async Task A_compare_with_a_range_end_must_hold_for_every_key()
    {
        await PutAsync("p/a", "1");
        await PutAsync("p/b", "1");
        await PutAsync("p/b", "2");
        Compare AllVersionOne() => new()
        {
            Key = B("p/"), RangeEnd = B("p0"), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 1,
        };
        Assert.False((await TxnAsync(new TxnRequest { Compare = { AllVersionOne() } })).Succeeded);
        await Host.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = B("p/b") }, cancellationToken: Timeout);
        Assert.True((await TxnAsync(new TxnRequest { Compare = { AllVersionOne() } })).Succeeded);
    }

    [Fact]
    public async Task Create_if_absent_is_a_version_compare_against_zero()
    {
        TxnRequest CreateIfAbsent(string value) => new()
        {
            Compare = { new Compare { Key = B("lock"), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { Put("lock", value) },
            Failure = { Get("lock") },
        };
        Assert.True((await TxnAsync(CreateIfAbsent("first"))).Succeeded);
        var second = await TxnAsync(CreateIfAbsent("second"));
        Assert.False(second.Succeeded);
        Assert.Equal("first", S(second.Responses[0].ResponseRange.Kvs[0].Value));
        Assert.Equal(2, await RevisionAsync());
    }
}
