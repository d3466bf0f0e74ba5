using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    /// <summary>a=1@2, a=2@3, b=1@4, delete a@5, c=1@6: the store is at revision 6.</summary>
    private async Task SeedCompactHistoryAsync()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("a", "2"); // 3
        await PutAsync("b", "1"); // 4
        await DeleteAsync("a");   // 5
        await PutAsync("c", "1"); // 6
    }

    private async Task<KvResult<CompactResponse>> CompactAsync(long revision) =>
        await Store.CompactAsync(new CompactRequest { Revision = revision, Physical = true }, Ct);

    [Fact]
    public async Task Compact_ReadsBelowAreCompacted_AtAndAboveUnchanged_RevisionDoesNotMove()
    {
        await SeedCompactHistoryAsync();

        var compact = Ok(await CompactAsync(4));

        Assert.Equal(6, compact.Revision);
        await AssertStatusAsync(revision: 6, compactRevision: 4);
        foreach (var below in new long[] { 1, 2, 3 })
        {
            Fails(KvStatus.Compacted, await Store.RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Revision = below }, Ct));
            Fails(KvStatus.Compacted, await Store.RangeAsync(new RangeRequest { Key = B("a"), Revision = below }, Ct));
        }

        // The compaction point keeps each key's latest version at or below it.
        AssertKvs((await RangeAllAsync(revision: 4)).Kvs, Entry("a", "2", 2, 3, 2), Entry("b", "1", 4, 4, 1));
        AssertKvs((await RangeAllAsync(revision: 5)).Kvs, Entry("b", "1", 4, 4, 1));
        AssertKvs((await RangeAllAsync(revision: 6)).Kvs, Entry("b", "1", 4, 4, 1), Entry("c", "1", 6, 6, 1));
        AssertKvs((await RangeAllAsync()).Kvs, Entry("b", "1", 4, 4, 1), Entry("c", "1", 6, 6, 1));
        Assert.Equal(2, (await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Revision = 4, CountOnly = true })).Count);
    }

    [Fact]
    public async Task Compact_EveryAnswerAtOrAboveThePoint_IsExactlyWhatItWasBefore()
    {
        await GrantLeasesAsync(2);
        await SeedCompactHistoryAsync();
        await PutAsync("a", "4", lease: 2); // 7
        RangeRequest[] shapes =
        [
            new() { Key = [0], RangeEnd = [0] },
            new() { Key = B("a") },
            new() { Key = B("a"), RangeEnd = B("c"), Limit = 1 },
            new() { Key = [0], RangeEnd = [0], SortTarget = SortTarget.Mod, SortOrder = SortOrder.Descend },
            new() { Key = [0], RangeEnd = [0], CountOnly = true },
        ];
        var before = new List<RangeResponse>();
        foreach (var revision in new long[] { 4, 5, 6, 7 })
        {
            foreach (var shape in shapes)
            {
                before.Add(await RangeAsync(shape with { Revision = revision }));
            }
        }

        Ok(await CompactAsync(4));

        var i = 0;
        foreach (var revision in new long[] { 4, 5, 6, 7 })
        {
            foreach (var shape in shapes)
            {
                var expected = before[i++];
                var after = await RangeAsync(shape with { Revision = revision });
                AssertKvs(after.Kvs, [.. expected.Kvs]);
                Assert.Equal((expected.Count, expected.More, expected.Revision), (after.Count, after.More, after.Revision));
            }
        }
    }

    [Fact]
    public async Task Compact_AtOrBelowTheCompactionPoint_IsCompacted_AboveCurrent_IsFutureRevision()
    {
        await SeedCompactHistoryAsync();
        Ok(await CompactAsync(4));

        Fails(KvStatus.Compacted, await CompactAsync(4));
        Fails(KvStatus.Compacted, await CompactAsync(3));
        Fails(KvStatus.FutureRevision, await CompactAsync(7));
        Fails(KvStatus.FutureRevision, await CompactAsync(100));

        await AssertStatusAsync(revision: 6, compactRevision: 4);
        AssertKvs((await RangeAllAsync(revision: 4)).Kvs, Entry("a", "2", 2, 3, 2), Entry("b", "1", 4, 4, 1));
    }

    [Fact]
    public async Task Compact_AFutureRevision_OnAFreshStore_IsFutureRevision()
    {
        await PutAsync("a", "1"); // 2

        Fails(KvStatus.FutureRevision, await CompactAsync(3));

        await AssertStatusAsync(revision: 2, compactRevision: 0);
        AssertKv(await GetAsync("a", revision: 2), "a", "1", 2, 2, 1);
    }

    [Fact]
    public async Task Compact_Twice_MovesThePointForward()
    {
        await SeedCompactHistoryAsync();

        Ok(await CompactAsync(3));
        AssertKvs((await RangeAllAsync(revision: 3)).Kvs, Entry("a", "2", 2, 3, 2));
        Ok(await CompactAsync(5));

        await AssertStatusAsync(revision: 6, compactRevision: 5);
        Fails(KvStatus.Compacted, await Store.RangeAsync(new RangeRequest { Key = B("a"), Revision = 4 }, Ct));
        AssertKvs((await RangeAllAsync(revision: 5)).Kvs, Entry("b", "1", 4, 4, 1));
    }

    [Fact]
    public async Task Compact_AtTheCurrentRevision_KeepsTheCurrentState_AndWritesGoOn()
    {
        await SeedCompactHistoryAsync();

        Ok(await CompactAsync(6));
        await AssertStatusAsync(revision: 6, compactRevision: 6);
        AssertKvs((await RangeAllAsync(revision: 6)).Kvs, Entry("b", "1", 4, 4, 1), Entry("c", "1", 6, 6, 1));
        Fails(KvStatus.Compacted, await Store.RangeAsync(new RangeRequest { Key = B("b"), Revision = 5 }, Ct));

        // A deleted key compacted away comes back as a new generation; a live key keeps its history.
        Assert.Equal(7, (await PutAsync("a", "3")).Revision);
        Assert.Equal(8, (await PutAsync("b", "2")).Revision);
        AssertKv(await GetAsync("a"), "a", "3", create: 7, mod: 7, version: 1);
        AssertKv(await GetAsync("b"), "b", "2", create: 4, mod: 8, version: 2);
        AssertKv(await GetAsync("b", revision: 6), "b", "1", create: 4, mod: 4, version: 1);
        await AssertStatusAsync(revision: 8, compactRevision: 6);
    }

    [Fact]
    public async Task Compact_LiveKeysKeepTheirVersionForLaterTxnsAndDeletes()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("a", "2"); // 3
        await PutAsync("a", "3"); // 4
        Ok(await CompactAsync(4));

        var txn = await TxnAsync(new TxnRequest
        {
            Compare = [new Compare { Key = B("a"), Target = CompareTarget.Version, Result = CompareResult.Equal, Number = 3 }],
            Success = [PutOp("a", "4", prevKv: true)],
        });
        Assert.True(txn.Succeeded);
        AssertKv(txn.Responses[0].Put!.PrevKv, "a", "3", 2, 4, 3);

        var delete = await DeleteAsync("a", prevKv: true);
        Assert.Equal(6, delete.Revision);
        AssertKvs(delete.PrevKvs, Entry("a", "4", 2, 5, 4));
    }

    [Fact]
    public async Task Compact_ReadsInsideATxn_BelowThePoint_AreCompacted()
    {
        await SeedCompactHistoryAsync();
        Ok(await CompactAsync(4));

        var result = await Store.TxnAsync(new TxnRequest
        {
            Success = [RequestOp.Of(new RangeRequest { Key = B("a"), Revision = 3 })],
        }, Ct);

        Fails(KvStatus.Compacted, result);
        await AssertStatusAsync(revision: 6, compactRevision: 4);
    }
}
