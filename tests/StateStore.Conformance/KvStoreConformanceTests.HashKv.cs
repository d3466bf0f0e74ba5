using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    /// <summary>The same history, op for op: puts, a lease, a txn, deletes, a key deleted and recreated.</summary>
    private async Task FeedCommonHistoryAsync(IKvStore store)
    {
        Ok(await store.LeaseGrantAsync(new LeaseGrantRequest { Id = 9, Ttl = 3600 }, Ct));
        Ok(await store.PutAsync(new PutRequest { Key = B("a"), Value = B("1") }, Ct));            // 2
        Ok(await store.PutAsync(new PutRequest { Key = B("b"), Value = B("1"), Lease = 9 }, Ct)); // 3
        Ok(await store.TxnAsync(new TxnRequest { Success = [PutOp("c", "1"), PutOp("a", "2")] }, Ct)); // 4
        Ok(await store.DeleteRangeAsync(new DeleteRangeRequest { Key = B("a") }, Ct));            // 5
        Ok(await store.PutAsync(new PutRequest { Key = B("a"), Value = B("3") }, Ct));            // 6
        Ok(await store.DeleteRangeAsync(new DeleteRangeRequest { Key = B("b"), RangeEnd = B("c") }, Ct)); // 7
    }

    private async Task<HashKvResponse> HashAsync(IKvStore store, long revision = 0) => Ok(await store.HashKvAsync(revision, Ct));

    [Fact]
    public async Task HashKv_TwoStoresFedTheSameHistory_HashTheSameAtEveryRevision()
    {
        var other = await NewStoreAsync();
        Assert.Equal(await HashAsync(Store), await HashAsync(other));

        await FeedCommonHistoryAsync(Store);
        await FeedCommonHistoryAsync(other);

        for (var revision = 0L; revision <= 7; revision++)
        {
            var mine = await HashAsync(Store, revision);
            var theirs = await HashAsync(other, revision);
            Assert.True(mine.Hash == theirs.Hash, $"hashes differ at revision {revision}: {mine.Hash:x8} vs {theirs.Hash:x8}");
            Assert.Equal(mine.Revision, theirs.Revision);
            Assert.Equal(0, mine.CompactRevision);
        }
    }

    [Fact]
    public async Task HashKv_IsStable_AndReadsDoNotChangeIt()
    {
        await FeedCommonHistoryAsync(Store);
        var before = await HashAsync(Store);

        await RangeAllAsync();
        await TxnAsync(new TxnRequest { Success = [GetOp("a"), DeleteOp("zz")] });
        await RangeAllAsync(revision: 3);

        Assert.Equal(before.Hash, (await HashAsync(Store)).Hash);
        Assert.Equal(before.Hash, (await HashAsync(Store, 7)).Hash);
    }

    [Fact]
    public async Task HashKv_DifferentHistories_HashDifferently()
    {
        var other = await NewStoreAsync();
        await FeedCommonHistoryAsync(Store);
        await FeedCommonHistoryAsync(other);
        var common = (await HashAsync(Store)).Hash;

        Ok(await Store.PutAsync(new PutRequest { Key = B("d"), Value = B("x") }, Ct));  // 8
        Ok(await other.PutAsync(new PutRequest { Key = B("d"), Value = B("y") }, Ct));  // 8

        Assert.NotEqual((await HashAsync(Store)).Hash, (await HashAsync(other)).Hash);
        Assert.NotEqual(common, (await HashAsync(Store)).Hash);
        // Up to where the histories agree the hashes still do.
        Assert.Equal((await HashAsync(Store, 7)).Hash, (await HashAsync(other, 7)).Hash);
    }

    [Fact]
    public async Task HashKv_SameFinalStateButDifferentHistory_HashesDifferently()
    {
        var other = await NewStoreAsync();
        await PutAsync("a", "x");                                                            // 2
        await PutAsync("a", "y");                                                            // 3
        Ok(await other.PutAsync(new PutRequest { Key = B("a"), Value = B("z") }, Ct));      // 2
        Ok(await other.PutAsync(new PutRequest { Key = B("a"), Value = B("y") }, Ct));      // 3

        // Both read a=y (create 2, mod 3, version 2) now, but version 2 differs.
        Assert.Equal(await GetAsync("a"), Ok(await other.RangeAsync(new RangeRequest { Key = B("a") }, Ct)).Kvs.Single());
        Assert.NotEqual((await HashAsync(Store)).Hash, (await HashAsync(other)).Hash);
    }

    [Fact]
    public async Task HashKv_CoversDeletions()
    {
        var other = await NewStoreAsync();
        await PutAsync("a", "1");                                                                // 2
        await PutAsync("b", "1");                                                                // 3
        Ok(await other.PutAsync(new PutRequest { Key = B("a"), Value = B("1") }, Ct));          // 2
        Ok(await other.PutAsync(new PutRequest { Key = B("b"), Value = B("1") }, Ct));          // 3

        await DeleteAsync("a");                                                                  // 4
        Ok(await other.DeleteRangeAsync(new DeleteRangeRequest { Key = B("b") }, Ct));          // 4

        Assert.Equal((await HashAsync(Store, 3)).Hash, (await HashAsync(other, 3)).Hash);
        Assert.NotEqual((await HashAsync(Store)).Hash, (await HashAsync(other)).Hash);
    }

    [Fact]
    public async Task HashKv_FutureRevision_And_BelowTheCompactionPoint_Fail()
    {
        await FeedCommonHistoryAsync(Store);

        Fails(KvStatus.FutureRevision, await Store.HashKvAsync(8, Ct));
        Ok(await Store.CompactAsync(new CompactRequest { Revision = 5, Physical = true }, Ct));

        Fails(KvStatus.Compacted, await Store.HashKvAsync(4, Ct));
        Fails(KvStatus.Compacted, await Store.HashKvAsync(2, Ct));
        Fails(KvStatus.FutureRevision, await Store.HashKvAsync(8, Ct));
        Assert.Equal(5, (await HashAsync(Store, 5)).CompactRevision);
        Assert.Equal(5, (await HashAsync(Store)).CompactRevision);
        await AssertStatusAsync(revision: 7, compactRevision: 5);
    }

    [Fact]
    public async Task HashKv_TwoStoresWithTheSameHistoryAndCompactionPoint_HashTheSame()
    {
        var other = await NewStoreAsync();
        await FeedCommonHistoryAsync(Store);
        await FeedCommonHistoryAsync(other);
        Ok(await Store.CompactAsync(new CompactRequest { Revision = 5, Physical = true }, Ct));
        Ok(await other.CompactAsync(new CompactRequest { Revision = 5, Physical = true }, Ct));

        foreach (var revision in new long[] { 5, 6, 7, 0 })
        {
            Assert.Equal((await HashAsync(Store, revision)).Hash, (await HashAsync(other, revision)).Hash);
        }
    }
}
