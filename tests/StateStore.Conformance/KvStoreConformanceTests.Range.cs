using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    /// <summary>a=1@2, ab=2@3, abc=3@4, b=4@5, c=5@6: the store is at revision 6.</summary>
    private async Task SeedRangeKeysAsync()
    {
        await PutAsync("a", "1");
        await PutAsync("ab", "2");
        await PutAsync("abc", "3");
        await PutAsync("b", "4");
        await PutAsync("c", "5");
    }

    private static RangeRequest Range(string key, string? rangeEnd = null) =>
        new() { Key = B(key), RangeEnd = rangeEnd is null ? null : B(rangeEnd) };

    [Fact]
    public async Task Range_SingleKey_ReturnsOnlyThatKey()
    {
        await SeedRangeKeysAsync();

        var response = await RangeAsync(Range("ab"));

        Assert.Equal(6, response.Revision);
        AssertKvs(response.Kvs, Entry("ab", "2", 3, 3, 1));
        Assert.Equal(1, response.Count);
        Assert.False(response.More);
    }

    [Fact]
    public async Task Range_MissingKey_ReturnsNothing_AtTheCurrentRevision()
    {
        await SeedRangeKeysAsync();

        var response = await RangeAsync(Range("aa"));

        Assert.Equal(6, response.Revision);
        Assert.Empty(response.Kvs);
        Assert.Equal(0, response.Count);
        Assert.False(response.More);
    }

    [Fact]
    public async Task Range_HalfOpenInterval_ExcludesTheEnd()
    {
        await SeedRangeKeysAsync();

        var response = await RangeAsync(Range("ab", "c"));

        AssertKvs(response.Kvs, Entry("ab", "2", 3, 3, 1), Entry("abc", "3", 4, 4, 1), Entry("b", "4", 5, 5, 1));
        Assert.Equal(3, response.Count);
    }

    [Fact]
    public async Task Range_Prefix_WithPrefixEnd()
    {
        await SeedRangeKeysAsync();

        var response = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.PrefixEnd(B("a")) });
        AssertKeys(response.Kvs, "a,ab,abc");
        Assert.Equal(3, response.Count);

        var longer = await RangeAsync(new RangeRequest { Key = B("ab"), RangeEnd = Bytes.PrefixEnd(B("ab")) });
        AssertKeys(longer.Kvs, "ab,abc");
    }

    [Fact]
    public async Task Range_PrefixEndingIn0xff_CarriesIntoTheByteBefore()
    {
        byte[] prefix = [0x61, 0xff];
        await PutAsync(new PutRequest { Key = [0x61, 0xfe], Value = B("below") });
        await PutAsync(new PutRequest { Key = [0x61, 0xff], Value = B("in") });
        await PutAsync(new PutRequest { Key = [0x61, 0xff, 0x00], Value = B("in") });
        await PutAsync(new PutRequest { Key = [0x61, 0xff, 0xff, 0xff], Value = B("in") });
        await PutAsync(new PutRequest { Key = [0x62], Value = B("above") });

        var response = await RangeAsync(new RangeRequest { Key = prefix, RangeEnd = Bytes.PrefixEnd(prefix) });

        Assert.Equal(3, response.Count);
        Assert.All(response.Kvs, kv => Assert.Equal(B("in"), kv.Value));
    }

    [Fact]
    public async Task Range_EndZero_MeansEveryKeyFromTheStartKey()
    {
        await SeedRangeKeysAsync();

        var response = await RangeAllAsync(from: "ab");

        AssertKeys(response.Kvs, "ab,abc,b,c");
        Assert.Equal(4, response.Count);
    }

    [Fact]
    public async Task Range_KeyZeroEndZero_MeansAllKeys()
    {
        await PutAsync(new PutRequest { Key = [0xff, 0xff], Value = B("3") });
        await PutAsync(new PutRequest { Key = [0x00, 0x01], Value = B("1") });
        await PutAsync(new PutRequest { Key = [0x00], Value = B("0") });
        await PutAsync("m", "2");

        var response = await RangeAsync(new RangeRequest { Key = [0x00], RangeEnd = [0x00] });

        Assert.Equal(4, response.Count);
        Assert.Equal(
            ["0", "1", "2", "3"],
            response.Kvs.Select(kv => Bytes.Show(kv.Value)).ToArray());
    }

    [Fact]
    public async Task Range_EndAtOrBeforeTheKey_MatchesNothing()
    {
        await SeedRangeKeysAsync();

        foreach (var (key, end) in new[] { ("c", "a"), ("b", "b"), ("abc", "ab") })
        {
            var response = await RangeAsync(Range(key, end));
            Assert.Empty(response.Kvs);
            Assert.Equal(0, response.Count);
            Assert.False(response.More);
        }
    }

    [Fact]
    public async Task Range_EmptyKey_IsEmptyKey()
    {
        await SeedRangeKeysAsync();

        Fails(KvStatus.EmptyKey, await Store.RangeAsync(new RangeRequest { Key = Bytes.Empty }, Ct));
        Fails(KvStatus.EmptyKey, await Store.RangeAsync(new RangeRequest { Key = Bytes.Empty, RangeEnd = B("z") }, Ct));
    }

    [Fact]
    public async Task Range_AtPastRevisions_SeesOldValues_AndDeletedKeysReappear()
    {
        await PutAsync("a", "1");  // 2
        await PutAsync("a", "2");  // 3
        await PutAsync("b", "1");  // 4
        await DeleteAsync("a");    // 5
        await PutAsync("a", "3");  // 6

        var at1 = await RangeAllAsync(revision: 1);
        Assert.Empty(at1.Kvs);
        Assert.Equal(0, at1.Count);

        AssertKvs((await RangeAllAsync(revision: 2)).Kvs, Entry("a", "1", 2, 2, 1));
        AssertKvs((await RangeAllAsync(revision: 3)).Kvs, Entry("a", "2", 2, 3, 2));
        AssertKvs((await RangeAllAsync(revision: 4)).Kvs, Entry("a", "2", 2, 3, 2), Entry("b", "1", 4, 4, 1));
        AssertKvs((await RangeAllAsync(revision: 5)).Kvs, Entry("b", "1", 4, 4, 1));
        AssertKvs((await RangeAllAsync(revision: 6)).Kvs, Entry("a", "3", 6, 6, 1), Entry("b", "1", 4, 4, 1));
        AssertKvs((await RangeAllAsync(revision: 0)).Kvs, Entry("a", "3", 6, 6, 1), Entry("b", "1", 4, 4, 1));
        AssertKvs((await RangeAllAsync(revision: -1)).Kvs, Entry("a", "3", 6, 6, 1), Entry("b", "1", 4, 4, 1));

        AssertKv(await GetAsync("a", revision: 4), "a", "2", 2, 3, 2);
        Assert.Null(await GetAsync("a", revision: 5));

        // As in etcd, the header of a read at a past revision carries the current revision.
        Assert.Equal(6, (await RangeAllAsync(revision: 3)).Revision);
        Assert.Equal(2, (await RangeAllAsync(revision: 4)).Count);
    }

    [Fact]
    public async Task Range_AtAFutureRevision_IsFutureRevision()
    {
        await SeedRangeKeysAsync();

        Fails(KvStatus.FutureRevision, await Store.RangeAsync(new RangeRequest { Key = B("a"), Revision = 7 }, Ct));
        Fails(KvStatus.FutureRevision, await Store.RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Revision = 100 }, Ct));
        AssertKv(await GetAsync("c", revision: 6), "c", "5", 6, 6, 1);
    }

    [Fact]
    public async Task Range_Limit_CutsAndSetsMore_CountIsTheTotal()
    {
        await SeedRangeKeysAsync();

        var two = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Limit = 2 });
        AssertKvs(two.Kvs, Entry("a", "1", 2, 2, 1), Entry("ab", "2", 3, 3, 1));
        Assert.True(two.More);
        Assert.Equal(5, two.Count);

        var four = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Limit = 4 });
        AssertKeys(four.Kvs, "a,ab,abc,b");
        Assert.True(four.More);

        var exact = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Limit = 5 });
        AssertKeys(exact.Kvs, "a,ab,abc,b,c");
        Assert.False(exact.More);
        Assert.Equal(5, exact.Count);

        var over = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Limit = 6 });
        Assert.Equal(5, over.Kvs.Count);
        Assert.False(over.More);

        var pastRevision = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, Limit = 1, Revision = 3 });
        AssertKvs(pastRevision.Kvs, Entry("a", "1", 2, 2, 1));
        Assert.True(pastRevision.More);
        Assert.Equal(2, pastRevision.Count);
    }

    [Fact]
    public async Task Range_CountOnly_ReturnsTheCountWithoutKvs()
    {
        await SeedRangeKeysAsync();

        var response = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = B("b"), CountOnly = true });

        Assert.Empty(response.Kvs);
        Assert.Equal(3, response.Count);
        Assert.False(response.More);
        Assert.Equal(6, response.Revision);

        var atPast = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = B("b"), CountOnly = true, Revision = 3 });
        Assert.Equal(2, atPast.Count);
    }

    [Fact]
    public async Task Range_KeysOnly_ReturnsEmptyValues_AndEveryOtherField()
    {
        await GrantLeasesAsync(5);
        await SeedRangeKeysAsync();
        await PutAsync("ab", "changed", lease: 5); // 7

        var response = await RangeAsync(new RangeRequest { Key = B("a"), RangeEnd = B("b"), KeysOnly = true });

        AssertKvs(response.Kvs, Entry("a", "", 2, 2, 1), Entry("ab", "", 3, 7, 2, lease: 5), Entry("abc", "", 4, 4, 1));
        Assert.Equal(3, response.Count);
    }
}
