using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    /// <summary>
    /// Five keys whose value, version, create and mod orders all differ from the key order, with ties
    /// in each so stability shows. At revision 6:
    /// <code>
    /// key  value  create  mod  version
    /// k0   e      4       4    1
    /// k1   c      3       3    1
    /// k2   a      5       5    1
    /// k3   b      2       6    2
    /// k4   a      4       4    1
    /// </code>
    /// </summary>
    private async Task SeedSortKeysAsync()
    {
        await PutAsync("k3", "b");                                    // 2
        await PutAsync("k1", "c");                                    // 3
        await TxnAsync(new TxnRequest { Success = [PutOp("k4", "a"), PutOp("k0", "e")] }); // 4
        await PutAsync("k2", "a");                                    // 5
        await PutAsync("k3", "b");                                    // 6
        await AssertStatusAsync(revision: 6);
    }

    [Theory]
    [InlineData(SortTarget.Key, SortOrder.None, "k0,k1,k2,k3,k4")]
    [InlineData(SortTarget.Key, SortOrder.Ascend, "k0,k1,k2,k3,k4")]
    [InlineData(SortTarget.Key, SortOrder.Descend, "k4,k3,k2,k1,k0")]
    // None with any other target sorts ascending; ties keep ascending key order, for Descend too.
    [InlineData(SortTarget.Version, SortOrder.None, "k0,k1,k2,k4,k3")]
    [InlineData(SortTarget.Version, SortOrder.Ascend, "k0,k1,k2,k4,k3")]
    [InlineData(SortTarget.Version, SortOrder.Descend, "k3,k0,k1,k2,k4")]
    [InlineData(SortTarget.Create, SortOrder.None, "k3,k1,k0,k4,k2")]
    [InlineData(SortTarget.Create, SortOrder.Ascend, "k3,k1,k0,k4,k2")]
    [InlineData(SortTarget.Create, SortOrder.Descend, "k2,k0,k4,k1,k3")]
    [InlineData(SortTarget.Mod, SortOrder.None, "k1,k0,k4,k2,k3")]
    [InlineData(SortTarget.Mod, SortOrder.Ascend, "k1,k0,k4,k2,k3")]
    [InlineData(SortTarget.Mod, SortOrder.Descend, "k3,k2,k0,k4,k1")]
    [InlineData(SortTarget.Value, SortOrder.None, "k2,k4,k3,k1,k0")]
    [InlineData(SortTarget.Value, SortOrder.Ascend, "k2,k4,k3,k1,k0")]
    [InlineData(SortTarget.Value, SortOrder.Descend, "k0,k1,k3,k2,k4")]
    public async Task Range_Sort_ByEveryTargetAndOrder(SortTarget target, SortOrder order, string expectedKeys)
    {
        await SeedSortKeysAsync();

        var response = await RangeAsync(new RangeRequest
        {
            Key = B("k"),
            RangeEnd = Bytes.PrefixEnd(B("k")),
            SortTarget = target,
            SortOrder = order,
        });

        AssertKeys(response.Kvs, expectedKeys);
        Assert.Equal(5, response.Count);
        Assert.False(response.More);
    }

    [Fact]
    public async Task Range_Sort_KeepsEveryField()
    {
        await SeedSortKeysAsync();

        var response = await RangeAsync(new RangeRequest
        {
            Key = B("k"),
            RangeEnd = Bytes.PrefixEnd(B("k")),
            SortTarget = SortTarget.Mod,
            SortOrder = SortOrder.Descend,
        });

        AssertKvs(response.Kvs,
            Entry("k3", "b", 2, 6, 2),
            Entry("k2", "a", 5, 5, 1),
            Entry("k0", "e", 4, 4, 1),
            Entry("k4", "a", 4, 4, 1),
            Entry("k1", "c", 3, 3, 1));
    }

    [Fact]
    public async Task Range_Sort_ThenLimit_CutsTheSortedList()
    {
        await SeedSortKeysAsync();

        var response = await RangeAsync(new RangeRequest
        {
            Key = B("k"),
            RangeEnd = Bytes.PrefixEnd(B("k")),
            SortTarget = SortTarget.Create,
            SortOrder = SortOrder.Descend,
            Limit = 2,
        });

        AssertKeys(response.Kvs, "k2,k0");
        Assert.True(response.More);
        Assert.Equal(5, response.Count);
    }

    [Fact]
    public async Task Range_KeyDescend_WithLimitsAndFilters_IsReverseKeyOrder()
    {
        await SeedSortKeysAsync();
        var request = new RangeRequest { Key = B("k"), RangeEnd = Bytes.PrefixEnd(B("k")), SortOrder = SortOrder.Descend };

        var limited = await RangeAsync(request with { Limit = 2 });
        AssertKeys(limited.Kvs, "k4,k3");
        Assert.True(limited.More);
        Assert.Equal(5, limited.Count);

        AssertKeys((await RangeAsync(request with { MinCreateRevision = 4 })).Kvs, "k4,k2,k0");
        AssertKeys((await RangeAsync(request with { MaxModRevision = 4 })).Kvs, "k4,k1,k0");

        var filteredAndLimited = await RangeAsync(request with { MinCreateRevision = 4, Limit = 2 });
        AssertKeys(filteredAndLimited.Kvs, "k4,k2");
        Assert.True(filteredAndLimited.More);

        var atPast = await RangeAsync(request with { Revision = 3, Limit = 1 });
        AssertKvs(atPast.Kvs, Entry("k3", "b", 2, 2, 1));
        Assert.True(atPast.More);
        Assert.Equal(2, atPast.Count);
    }

    [Theory]
    [InlineData(5L, 0L, 0L, 0L, "k2,k3")]
    [InlineData(0L, 4L, 0L, 0L, "k0,k1,k4")]
    [InlineData(4L, 5L, 0L, 0L, "k0,k2,k4")]
    [InlineData(0L, 0L, 4L, 0L, "k0,k2,k4")]
    [InlineData(0L, 0L, 0L, 3L, "k1,k3")]
    [InlineData(0L, 0L, 3L, 4L, "k0,k1,k4")]
    [InlineData(3L, 5L, 3L, 4L, "k0,k1,k4")]
    [InlineData(7L, 0L, 0L, 0L, "")]
    public async Task Range_MinMaxModCreateFilters_DropKvsOutside_CountIsBeforeFilters(
        long minMod, long maxMod, long minCreate, long maxCreate, string expectedKeys)
    {
        await SeedSortKeysAsync();

        var response = await RangeAsync(new RangeRequest
        {
            Key = B("k"),
            RangeEnd = Bytes.PrefixEnd(B("k")),
            MinModRevision = minMod,
            MaxModRevision = maxMod,
            MinCreateRevision = minCreate,
            MaxCreateRevision = maxCreate,
        });

        AssertKeys(response.Kvs, expectedKeys);
        Assert.Equal(5, response.Count);
        Assert.False(response.More);
    }

    [Fact]
    public async Task Range_FiltersThenLimit_MoreCountsWhatTheFiltersKept()
    {
        await SeedSortKeysAsync();
        var request = new RangeRequest { Key = B("k"), RangeEnd = Bytes.PrefixEnd(B("k")), MinCreateRevision = 4 };

        var cut = await RangeAsync(request with { Limit = 2 });
        AssertKvs(cut.Kvs, Entry("k0", "e", 4, 4, 1), Entry("k2", "a", 5, 5, 1));
        Assert.True(cut.More);
        Assert.Equal(5, cut.Count);

        var whole = await RangeAsync(request with { Limit = 3 });
        AssertKeys(whole.Kvs, "k0,k2,k4");
        Assert.False(whole.More);
    }

    [Fact]
    public async Task Range_FiltersAndSort_AtAPastRevision()
    {
        await SeedSortKeysAsync();

        // At revision 5, k3 is still at version 1 with mod 2.
        var response = await RangeAsync(new RangeRequest
        {
            Key = B("k"),
            RangeEnd = Bytes.PrefixEnd(B("k")),
            Revision = 5,
            MaxModRevision = 4,
            SortTarget = SortTarget.Mod,
            SortOrder = SortOrder.Ascend,
        });

        AssertKvs(response.Kvs,
            Entry("k3", "b", 2, 2, 1),
            Entry("k1", "c", 3, 3, 1),
            Entry("k0", "e", 4, 4, 1),
            Entry("k4", "a", 4, 4, 1));
        Assert.Equal(5, response.Count);
    }
}
