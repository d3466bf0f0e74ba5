using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    [Fact]
    public async Task Delete_SingleKey_RemovesOnlyThatKey_AtANewRevision()
    {
        await PutAsync("a", "1");  // 2
        await PutAsync("ab", "1"); // 3

        var delete = await DeleteAsync("a");

        Assert.Equal(4, delete.Revision);
        Assert.Equal(1, delete.Deleted);
        Assert.Empty(delete.PrevKvs);
        Assert.Null(await GetAsync("a"));
        AssertKv(await GetAsync("ab"), "ab", "1", 3, 3, 1);
        await AssertStatusAsync(revision: 4);
    }

    [Fact]
    public async Task Delete_Prefix_RemovesEveryKeyInOneRevision_PrevKvsInKeyOrder()
    {
        await GrantLeasesAsync(4);
        await PutAsync("b", "0");          // 2
        await PutAsync("abc", "3");        // 3
        await PutAsync("a", "1", lease: 4); // 4
        await PutAsync("ab", "2");         // 5
        await PutAsync("ab", "22");        // 6

        var delete = await DeleteAsync("a", "b", prevKv: true);

        Assert.Equal(7, delete.Revision);
        Assert.Equal(3, delete.Deleted);
        AssertKvs(delete.PrevKvs, Entry("a", "1", 4, 4, 1, lease: 4), Entry("ab", "22", 5, 6, 2), Entry("abc", "3", 3, 3, 1));
        AssertKvs((await RangeAllAsync()).Kvs, Entry("b", "0", 2, 2, 1));
        await AssertStatusAsync(revision: 7);

        // Each deleted key is gone at 7 and still there at 6.
        Assert.Equal(4, (await RangeAllAsync(revision: 6)).Count);
    }

    [Fact]
    public async Task Delete_WithRangeEndZero_RemovesEveryKeyFromTheStart()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("b", "1"); // 3
        await PutAsync("c", "1"); // 4

        var delete = await DeleteAsync("b", "\0");
        Assert.Equal(5, delete.Revision);
        Assert.Equal(2, delete.Deleted);
        AssertKeys((await RangeAllAsync()).Kvs, "a");

        var all = await Store.DeleteRangeAsync(new DeleteRangeRequest { Key = [0], RangeEnd = [0] }, Ct);
        Assert.Equal(6, Ok(all).Revision);
        Assert.Equal(1, Ok(all).Deleted);
        Assert.Empty((await RangeAllAsync()).Kvs);
    }

    [Fact]
    public async Task Delete_MatchingNothing_DoesNotAdvanceTheRevision()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("c", "1"); // 3
        await DeleteAsync("c");   // 4

        foreach (var (key, end) in new (string, string?)[] { ("b", null), ("c", null), ("b", "c"), ("c", "a"), ("x", "\0") })
        {
            var delete = await DeleteAsync(key, end, prevKv: true);
            Assert.Equal(4, delete.Revision);
            Assert.Equal(0, delete.Deleted);
            Assert.Empty(delete.PrevKvs);
        }

        await AssertStatusAsync(revision: 4);
        Assert.Equal(5, (await PutAsync("b", "1")).Revision);
    }

    [Fact]
    public async Task Delete_ThenPut_StartsANewGeneration_AndOldRevisionsKeepTheOldOne()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("a", "2"); // 3
        await DeleteAsync("a");   // 4
        await PutAsync("a", "3"); // 5
        await PutAsync("a", "4"); // 6

        AssertKv(await GetAsync("a"), "a", "4", create: 5, mod: 6, version: 2);
        AssertKv(await GetAsync("a", revision: 3), "a", "2", create: 2, mod: 3, version: 2);
        Assert.Null(await GetAsync("a", revision: 4));
    }

    [Fact]
    public async Task Delete_EmptyKey_IsEmptyKey_AndChangesNothing()
    {
        await PutAsync("a", "1"); // 2

        Fails(KvStatus.EmptyKey, await Store.DeleteRangeAsync(new DeleteRangeRequest { Key = Bytes.Empty }, Ct));
        Fails(KvStatus.EmptyKey, await Store.DeleteRangeAsync(new DeleteRangeRequest { Key = Bytes.Empty, RangeEnd = B("z") }, Ct));

        await AssertStatusAsync(revision: 2);
        AssertKv(await GetAsync("a"), "a", "1", 2, 2, 1);
    }
}
