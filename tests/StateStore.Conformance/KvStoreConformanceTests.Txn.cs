using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    [Fact]
    public async Task Txn_SuccessBranch_RunsWhenEveryCompareHolds()
    {
        await PutAsync("a", "1"); // 2

        var txn = await TxnAsync(new TxnRequest
        {
            Compare = [VersionIs("a", 1), new Compare { Key = B("a"), Target = CompareTarget.Value, Value = B("1") }],
            Success = [PutOp("s", "yes"), PutOp("a", "2", prevKv: true)],
            Failure = [PutOp("f", "no")],
        });

        Assert.True(txn.Succeeded);
        Assert.Equal(3, txn.Revision);
        Assert.Equal(2, txn.Responses.Count);
        Assert.NotNull(txn.Responses[0].Put);
        AssertKv(txn.Responses[1].Put!.PrevKv, "a", "1", 2, 2, 1);
        AssertKvs((await RangeAllAsync()).Kvs, Entry("a", "2", 2, 3, 2), Entry("s", "yes", 3, 3, 1));
        await AssertStatusAsync(revision: 3);
    }

    [Fact]
    public async Task Txn_FailureBranch_RunsWhenAnyCompareFails()
    {
        await PutAsync("a", "1"); // 2

        var txn = await TxnAsync(new TxnRequest
        {
            Compare = [VersionIs("a", 1), VersionIs("a", 2)],
            Success = [PutOp("s", "yes")],
            Failure = [PutOp("f", "no"), GetOp("a")],
        });

        Assert.False(txn.Succeeded);
        Assert.Equal(3, txn.Revision);
        Assert.Equal(2, txn.Responses.Count);
        AssertKvs(txn.Responses[1].Range!.Kvs, Entry("a", "1", 2, 2, 1));
        AssertKvs((await RangeAllAsync()).Kvs, Entry("a", "1", 2, 2, 1), Entry("f", "no", 3, 3, 1));
    }

    [Fact]
    public async Task Txn_AllWritesShareOneRevision()
    {
        await PutAsync("d", "0"); // 2

        var txn = await TxnAsync(new TxnRequest { Success = [PutOp("a", "1"), PutOp("b", "1"), DeleteOp("d")] });

        Assert.True(txn.Succeeded);
        Assert.Equal(3, txn.Revision);
        AssertKvs((await RangeAllAsync()).Kvs, Entry("a", "1", 3, 3, 1), Entry("b", "1", 3, 3, 1));
        await AssertStatusAsync(revision: 3);
        Assert.Equal(4, (await PutAsync("c", "1")).Revision);
    }

    [Fact]
    public async Task Txn_ReadsSeeTheTxnsEarlierWrites()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("y", "1"); // 3

        var txn = await TxnAsync(new TxnRequest
        {
            Success =
            [
                GetOp("a"),
                PutOp("a", "2"),
                GetOp("a"),
                DeleteOp("y"),
                GetOp("y"),
                PutOp("n", "new"),
                GetOp("\0", "\0"),
            ],
        });

        Assert.Equal(4, txn.Revision);
        var r = txn.Responses;
        Assert.Equal(7, r.Count);
        AssertKvs(r[0].Range!.Kvs, Entry("a", "1", 2, 2, 1));
        AssertKvs(r[2].Range!.Kvs, Entry("a", "2", 2, 4, 2));
        Assert.Equal(1, r[3].DeleteRange!.Deleted);
        Assert.Empty(r[4].Range!.Kvs);
        Assert.Equal(0, r[4].Range!.Count);
        AssertKvs(r[6].Range!.Kvs, Entry("a", "2", 2, 4, 2), Entry("n", "new", 4, 4, 1));
        Assert.Equal(2, r[6].Range!.Count);
    }

    [Fact]
    public async Task Txn_Nested_RunsTheInnerBranchItsComparesChoose()
    {
        await PutAsync("a", "1"); // 2

        var txn = await TxnAsync(new TxnRequest
        {
            Compare = [VersionIs("a", 1)],
            Success =
            [
                PutOp("b", "1"),
                RequestOp.Of(new TxnRequest
                {
                    Compare = [new Compare { Key = B("a"), Target = CompareTarget.Value, Value = B("1") }],
                    Success = [PutOp("c", "1"), GetOp("b")],
                    Failure = [PutOp("d", "1")],
                }),
                RequestOp.Of(new TxnRequest
                {
                    Compare = [new Compare { Key = B("a"), Target = CompareTarget.Value, Value = B("zzz") }],
                    Success = [PutOp("e", "1")],
                    Failure = [PutOp("f", "1")],
                }),
                GetOp("c"),
            ],
        });

        Assert.True(txn.Succeeded);
        Assert.Equal(3, txn.Revision);
        Assert.Equal(4, txn.Responses.Count);
        var inner = txn.Responses[1].Txn!;
        Assert.True(inner.Succeeded);
        Assert.Equal(2, inner.Responses.Count);
        AssertKvs(inner.Responses[1].Range!.Kvs, Entry("b", "1", 3, 3, 1));
        var other = txn.Responses[2].Txn!;
        Assert.False(other.Succeeded);
        Assert.Single(other.Responses);
        AssertKvs(txn.Responses[3].Range!.Kvs, Entry("c", "1", 3, 3, 1));

        AssertKeys((await RangeAllAsync()).Kvs, "a,b,c,f");
        await AssertStatusAsync(revision: 3);
    }

    [Fact]
    public async Task Txn_OfOnlyReadsOrEmptyDeletes_DoesNotAdvanceTheRevision()
    {
        await PutAsync("a", "1"); // 2

        var reads = await TxnAsync(new TxnRequest { Compare = [VersionIs("a", 1)], Success = [GetOp("a"), GetOp("b")] });
        Assert.True(reads.Succeeded);
        Assert.Equal(2, reads.Revision);
        AssertKvs(reads.Responses[0].Range!.Kvs, Entry("a", "1", 2, 2, 1));

        var emptyDelete = await TxnAsync(new TxnRequest { Success = [DeleteOp("zz"), DeleteOp("b", "c")] });
        Assert.Equal(2, emptyDelete.Revision);
        Assert.Equal(0, emptyDelete.Responses[0].DeleteRange!.Deleted);

        var empty = await TxnAsync(new TxnRequest());
        Assert.True(empty.Succeeded);
        Assert.Empty(empty.Responses);
        Assert.Equal(2, empty.Revision);

        var failedToNothing = await TxnAsync(new TxnRequest { Compare = [VersionIs("a", 5)], Success = [PutOp("x", "1")] });
        Assert.False(failedToNothing.Succeeded);
        Assert.Empty(failedToNothing.Responses);
        Assert.Equal(2, failedToNothing.Revision);

        var nestedReads = await TxnAsync(new TxnRequest { Success = [RequestOp.Of(new TxnRequest { Success = [GetOp("a")] })] });
        Assert.Equal(2, nestedReads.Revision);

        await AssertStatusAsync(revision: 2);
        Assert.Equal(3, (await PutAsync("b", "1")).Revision);
    }

    [Fact]
    public async Task Txn_SamePutInBothBranches_OrBothNestedBranches_IsNotADuplicate()
    {
        var txn = await TxnAsync(new TxnRequest
        {
            Compare = [VersionIs("a", 0)],
            Success = [PutOp("a", "then")],
            Failure = [PutOp("a", "else")],
        });

        Assert.True(txn.Succeeded);
        AssertKv(await GetAsync("a"), "a", "then", 2, 2, 1);

        // Likewise a nested txn's two lists: only one of them runs.
        var nested = await TxnAsync(new TxnRequest
        {
            Success =
            [
                PutOp("b", "1"),
                RequestOp.Of(new TxnRequest { Compare = [VersionIs("a", 1)], Success = [PutOp("c", "then")], Failure = [PutOp("c", "else")] }),
            ],
        });
        Assert.True(nested.Responses[1].Txn!.Succeeded);
        AssertKvs((await RangeAllAsync(from: "b")).Kvs, Entry("b", "1", 3, 3, 1), Entry("c", "then", 3, 3, 1));
    }

    [Fact]
    public async Task Txn_DuplicateKey_PutTwice_PutInsideADelete_OrNested_ChangesNothing()
    {
        await PutAsync("k", "0"); // 2

        TxnRequest[] duplicates =
        [
            new() { Success = [PutOp("x", "1"), PutOp("x", "2")] },
            new() { Success = [PutOp("b", "1"), DeleteOp("a", "c")] },
            new() { Success = [DeleteOp("a", "c"), PutOp("b", "1")] },
            new() { Success = [PutOp("k", "1"), DeleteOp("k")] },
            new() { Failure = [PutOp("x", "1"), PutOp("x", "2")] },
            new() { Success = [PutOp("x", "1"), RequestOp.Of(new TxnRequest { Success = [PutOp("x", "2")] })] },
            new() { Success = [PutOp("m", "1"), RequestOp.Of(new TxnRequest { Failure = [DeleteOp("a", "z")] })] },
            new() { Success = [PutOp("y", "1"), RequestOp.Of(new TxnRequest { Success = [PutOp("x", "2"), PutOp("x", "3")] })] },
            // A delete in one nested txn covers a put in a later sibling: both can run.
            new() { Success = [RequestOp.Of(new TxnRequest { Success = [DeleteOp("a", "z")] }), RequestOp.Of(new TxnRequest { Success = [PutOp("x", "1")] })] },
            new() { Success = [RequestOp.Of(new TxnRequest { Success = [PutOp("x", "1")] }), RequestOp.Of(new TxnRequest { Failure = [PutOp("x", "2")] })] },
        ];

        foreach (var request in duplicates)
        {
            Fails(KvStatus.DuplicateKey, await Store.TxnAsync(request, Ct));
        }

        await AssertStatusAsync(revision: 2);
        AssertKvs((await RangeAllAsync()).Kvs, Entry("k", "0", 2, 2, 1));
    }

    [Fact]
    public async Task Txn_IgnoreValueOnAMissingKey_FailsTheWholeTxn_AndChangesNothing()
    {
        await PutAsync("a", "1"); // 2

        var result = await Store.TxnAsync(new TxnRequest
        {
            Success =
            [
                PutOp("b", "1"),
                PutOp("a", "2"),
                RequestOp.Of(new PutRequest { Key = B("missing"), IgnoreValue = true }),
            ],
        }, Ct);

        Fails(KvStatus.KeyNotFound, result);
        await AssertStatusAsync(revision: 2);
        AssertKvs((await RangeAllAsync()).Kvs, Entry("a", "1", 2, 2, 1));

        var ignoreLease = await Store.TxnAsync(new TxnRequest
        {
            Success = [PutOp("b", "1"), RequestOp.Of(new PutRequest { Key = B("missing"), Value = B("v"), IgnoreLease = true })],
        }, Ct);
        Fails(KvStatus.KeyNotFound, ignoreLease);
        await AssertStatusAsync(revision: 2);
    }

    [Fact]
    public async Task Txn_IgnoreValueOnAnExistingKey_KeepsItsValue()
    {
        await PutAsync("a", "1"); // 2

        await TxnAsync(new TxnRequest { Success = [RequestOp.Of(new PutRequest { Key = B("a"), IgnoreValue = true }), PutOp("b", "1")] });

        AssertKvs((await RangeAllAsync()).Kvs, Entry("a", "1", 2, 3, 2), Entry("b", "1", 3, 3, 1));
    }

    [Fact]
    public async Task Txn_EmptyKey_AnywhereInTheRequest_IsEmptyKey()
    {
        await PutAsync("a", "1"); // 2

        TxnRequest[] requests =
        [
            new() { Success = [RequestOp.Of(new PutRequest { Key = Bytes.Empty, Value = B("1") })] },
            new() { Success = [PutOp("b", "1"), RequestOp.Of(new RangeRequest { Key = Bytes.Empty })] },
            new() { Success = [PutOp("b", "1"), RequestOp.Of(new DeleteRangeRequest { Key = Bytes.Empty })] },
            // The branch that would not run is validated too.
            new() { Success = [PutOp("b", "1")], Failure = [RequestOp.Of(new PutRequest { Key = Bytes.Empty })] },
            new() { Success = [PutOp("b", "1"), RequestOp.Of(new TxnRequest { Failure = [RequestOp.Of(new PutRequest { Key = Bytes.Empty })] })] },
        ];

        foreach (var request in requests)
        {
            Fails(KvStatus.EmptyKey, await Store.TxnAsync(request, Ct));
        }
        await AssertStatusAsync(revision: 2);
        Assert.Null(await GetAsync("b"));
    }

    private static Compare VersionIs(string key, long version) =>
        new() { Key = B(key), Target = CompareTarget.Version, Result = CompareResult.Equal, Number = version };
}
