using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    [Fact]
    public async Task EmptyStore_IsAtRevisionOne()
    {
        await AssertStatusAsync(revision: 1);

        var all = await RangeAllAsync();
        Assert.Equal(1, all.Revision);
        Assert.Empty(all.Kvs);
        Assert.Equal(0, all.Count);
        Assert.False(all.More);
    }

    [Fact]
    public async Task Put_CreatesKeyWithVersionOne_CreateAndModAtItsRevision()
    {
        var put = await PutAsync("a", "1");

        Assert.Equal(2, put.Revision);
        Assert.Null(put.PrevKv);
        AssertKv(await GetAsync("a"), "a", "1", create: 2, mod: 2, version: 1);
        await AssertStatusAsync(revision: 2);
    }

    [Fact]
    public async Task Put_EveryWriteAdvancesTheRevisionByExactlyOne()
    {
        Assert.Equal(2, (await PutAsync("a", "1")).Revision);
        Assert.Equal(3, (await PutAsync("b", "1")).Revision);
        Assert.Equal(4, (await PutAsync("a", "2")).Revision);
        Assert.Equal(5, (await PutAsync("c", "1")).Revision);
        // The same value again is still a write.
        Assert.Equal(6, (await PutAsync("c", "1")).Revision);

        await AssertStatusAsync(revision: 6);
        var all = await RangeAllAsync();
        Assert.Equal(6, all.Revision);
        AssertKvs(all.Kvs, Entry("a", "2", 2, 4, 2), Entry("b", "1", 3, 3, 1), Entry("c", "1", 5, 6, 2));
    }

    [Fact]
    public async Task Put_ConcurrentWriters_EachGetADistinctRevision_WithNoGaps()
    {
        const int writers = 8, each = 50;

        var revisions = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < each; i++)
            {
                mine.Add((await PutAsync($"w{w}", $"{i}")).Revision);
            }
            return mine;
        }))).WaitAsync(Ct);

        Assert.Equal(Enumerable.Range(2, writers * each).Select(r => (long)r), revisions.SelectMany(r => r).Order());
        foreach (var mine in revisions)
        {
            Assert.Equal(mine.Order(), mine);
        }
        await AssertStatusAsync(revision: 1 + writers * each);
        for (var w = 0; w < writers; w++)
        {
            AssertKv(await GetAsync($"w{w}"), $"w{w}", $"{each - 1}", revisions[w][0], revisions[w][^1], each);
        }
    }

    [Fact]
    public async Task Put_SecondPut_BumpsVersionAndMod_KeepsCreate()
    {
        await PutAsync("a", "1");
        await PutAsync("a", "2");
        await PutAsync("a", "3");

        AssertKv(await GetAsync("a"), "a", "3", create: 2, mod: 4, version: 3);
    }

    [Fact]
    public async Task Put_AfterDelete_StartsANewGeneration()
    {
        await PutAsync("a", "1");       // 2
        await PutAsync("a", "2");       // 3
        await DeleteAsync("a");         // 4
        var put = await PutAsync("a", "3", prevKv: true); // 5

        Assert.Equal(5, put.Revision);
        Assert.Null(put.PrevKv);
        AssertKv(await GetAsync("a"), "a", "3", create: 5, mod: 5, version: 1);
    }

    [Fact]
    public async Task Put_PrevKv_ReturnsTheReplacedVersion_OnlyWhenAsked()
    {
        await GrantLeasesAsync(7);
        var first = await PutAsync("a", "1", lease: 7, prevKv: true);    // 2
        var second = await PutAsync("a", "2", prevKv: true);             // 3
        var third = await PutAsync("a", "3");                            // 4

        Assert.Null(first.PrevKv);
        AssertKv(second.PrevKv, "a", "1", create: 2, mod: 2, version: 1, lease: 7);
        Assert.Null(third.PrevKv);
    }

    [Fact]
    public async Task Put_Lease_IsStoredAndReplacedByTheNextPut()
    {
        await GrantLeasesAsync(7);
        await PutAsync("a", "1", lease: 7);
        AssertKv(await GetAsync("a"), "a", "1", create: 2, mod: 2, version: 1, lease: 7);

        await PutAsync("a", "2");
        AssertKv(await GetAsync("a"), "a", "2", create: 2, mod: 3, version: 2, lease: 0);
    }

    [Fact]
    public async Task Put_IgnoreValue_KeepsTheValue_TakesTheLeaseGiven()
    {
        await GrantLeasesAsync(7, 9);
        await PutAsync("a", "1", lease: 7); // 2

        var put = await PutAsync(new PutRequest { Key = B("a"), IgnoreValue = true, Lease = 9, PrevKv = true });

        Assert.Equal(3, put.Revision);
        AssertKv(put.PrevKv, "a", "1", create: 2, mod: 2, version: 1, lease: 7);
        AssertKv(await GetAsync("a"), "a", "1", create: 2, mod: 3, version: 2, lease: 9);
    }

    [Fact]
    public async Task Put_IgnoreLease_KeepsTheLease_TakesTheValueGiven()
    {
        await GrantLeasesAsync(7);
        await PutAsync("a", "1", lease: 7); // 2

        var put = await PutAsync(new PutRequest { Key = B("a"), Value = B("2"), IgnoreLease = true });

        Assert.Equal(3, put.Revision);
        AssertKv(await GetAsync("a"), "a", "2", create: 2, mod: 3, version: 2, lease: 7);
    }

    [Fact]
    public async Task Put_IgnoreValueAndIgnoreLease_KeepBoth_AndStillWrite()
    {
        await GrantLeasesAsync(7);
        await PutAsync("a", "1", lease: 7); // 2

        var put = await PutAsync(new PutRequest { Key = B("a"), IgnoreValue = true, IgnoreLease = true });

        Assert.Equal(3, put.Revision);
        AssertKv(await GetAsync("a"), "a", "1", create: 2, mod: 3, version: 2, lease: 7);
    }

    [Fact]
    public async Task Put_IgnoreValueOrLease_OnAMissingKey_IsKeyNotFound_AndChangesNothing()
    {
        await PutAsync("b", "1"); // 2
        await PutAsync("a", "1"); // 3
        await DeleteAsync("a");   // 4: a missing again

        Fails(KvStatus.KeyNotFound, await Store.PutAsync(new PutRequest { Key = B("a"), IgnoreValue = true }, Ct));
        Fails(KvStatus.KeyNotFound, await Store.PutAsync(new PutRequest { Key = B("a"), Value = B("x"), IgnoreLease = true }, Ct));
        Fails(KvStatus.KeyNotFound, await Store.PutAsync(new PutRequest { Key = B("never"), IgnoreValue = true, IgnoreLease = true }, Ct));

        await AssertStatusAsync(revision: 4);
        Assert.Null(await GetAsync("a"));
        Assert.Null(await GetAsync("never"));
    }

    [Fact]
    public async Task Put_IgnoreValueWithAValue_IsValueProvided_IgnoreLeaseWithALease_IsLeaseProvided()
    {
        await GrantLeasesAsync(7, 8);
        await PutAsync("a", "1", lease: 7); // 2

        Fails(KvStatus.ValueProvided, await Store.PutAsync(new PutRequest { Key = B("a"), Value = B("x"), IgnoreValue = true }, Ct));
        Fails(KvStatus.LeaseProvided, await Store.PutAsync(new PutRequest { Key = B("a"), Value = B("x"), Lease = 8, IgnoreLease = true }, Ct));

        await AssertStatusAsync(revision: 2);
        AssertKv(await GetAsync("a"), "a", "1", create: 2, mod: 2, version: 1, lease: 7);
    }

    [Fact]
    public async Task Put_EmptyKey_IsEmptyKey_AndChangesNothing()
    {
        Fails(KvStatus.EmptyKey, await Store.PutAsync(new PutRequest { Key = Bytes.Empty, Value = B("1") }, Ct));

        await AssertStatusAsync(revision: 1);
        Assert.Empty((await RangeAllAsync()).Kvs);
    }

    [Fact]
    public async Task Put_BinaryKeysAndValues_RoundTripByteForByte()
    {
        byte[] key = [0x00, 0xff, 0x7f, 0x80];
        byte[] value = [0xff, 0x00, 0x00, 0x01];
        byte[] emptyValueKey = [0x01];

        await PutAsync(new PutRequest { Key = key, Value = value });            // 2
        await PutAsync(new PutRequest { Key = emptyValueKey, Value = Bytes.Empty }); // 3

        var all = await RangeAllAsync();
        AssertKvs(all.Kvs,
            new KeyValue(key, value, 2, 2, 1, 0),
            new KeyValue(emptyValueKey, Bytes.Empty, 3, 3, 1, 0));
    }
}
