using StateStore.Kv;
using Xunit;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    /// <summary>
    /// At revision 8: a=m (create 2, mod 4, version 2, lease 0), b=x (3, 3, 1, lease 7),
    /// c=0xff (5, 5, 1), p1=1 (6, 6, 1), p2=2 (7, 8, 2).
    /// </summary>
    private async Task SeedCompareKeysAsync()
    {
        await GrantLeasesAsync(7);
        await PutAsync("a", "m");           // 2
        await PutAsync("b", "x", lease: 7); // 3
        await PutAsync("a", "m");           // 4
        await PutAsync(new PutRequest { Key = B("c"), Value = [0xff] }); // 5
        await PutAsync("p1", "1");          // 6
        await PutAsync("p2", "1");          // 7
        await PutAsync("p2", "2");          // 8
    }

    [Fact]
    public async Task Txn_Compare_Value_AllFourResults()
    {
        await SeedCompareKeysAsync();

        await AssertCompareAsync(true, OnValue("a", CompareResult.Equal, "m"));
        await AssertCompareAsync(false, OnValue("a", CompareResult.Equal, "n"));
        await AssertCompareAsync(false, OnValue("a", CompareResult.Equal, ""));
        await AssertCompareAsync(true, OnValue("a", CompareResult.Greater, "l"));
        await AssertCompareAsync(true, OnValue("a", CompareResult.Greater, "lzzz"));
        await AssertCompareAsync(false, OnValue("a", CompareResult.Greater, "m"));
        await AssertCompareAsync(true, OnValue("a", CompareResult.Less, "n"));
        await AssertCompareAsync(true, OnValue("a", CompareResult.Less, "ma"));
        await AssertCompareAsync(false, OnValue("a", CompareResult.Less, "m"));
        await AssertCompareAsync(true, OnValue("a", CompareResult.NotEqual, "n"));
        await AssertCompareAsync(false, OnValue("a", CompareResult.NotEqual, "m"));
    }

    [Fact]
    public async Task Txn_Compare_Value_IsUnsignedBytewise()
    {
        await SeedCompareKeysAsync();

        await AssertCompareAsync(true, new Compare { Key = B("c"), Target = CompareTarget.Value, Result = CompareResult.Greater, Value = B("m") });
        await AssertCompareAsync(true, new Compare { Key = B("c"), Target = CompareTarget.Value, Result = CompareResult.Less, Value = [0xff, 0x00] });
        await AssertCompareAsync(true, new Compare { Key = B("c"), Target = CompareTarget.Value, Result = CompareResult.Equal, Value = [0xff] });
    }

    [Theory]
    [InlineData(CompareTarget.Version, 2L)]
    [InlineData(CompareTarget.Create, 2L)]
    [InlineData(CompareTarget.Mod, 4L)]
    public async Task Txn_Compare_Numbers_AllFourResults(CompareTarget target, long actual)
    {
        await SeedCompareKeysAsync();

        await AssertCompareAsync(true, On("a", target, CompareResult.Equal, actual));
        await AssertCompareAsync(false, On("a", target, CompareResult.Equal, actual + 1));
        await AssertCompareAsync(false, On("a", target, CompareResult.Equal, actual - 1));
        await AssertCompareAsync(true, On("a", target, CompareResult.Greater, actual - 1));
        await AssertCompareAsync(false, On("a", target, CompareResult.Greater, actual));
        await AssertCompareAsync(true, On("a", target, CompareResult.Less, actual + 1));
        await AssertCompareAsync(false, On("a", target, CompareResult.Less, actual));
        await AssertCompareAsync(true, On("a", target, CompareResult.NotEqual, actual + 1));
        await AssertCompareAsync(false, On("a", target, CompareResult.NotEqual, actual));
    }

    [Fact]
    public async Task Txn_Compare_Lease_AllFourResults()
    {
        await SeedCompareKeysAsync();

        await AssertCompareAsync(true, On("b", CompareTarget.Lease, CompareResult.Equal, 7));
        await AssertCompareAsync(false, On("b", CompareTarget.Lease, CompareResult.Equal, 0));
        await AssertCompareAsync(true, On("b", CompareTarget.Lease, CompareResult.Greater, 6));
        await AssertCompareAsync(false, On("b", CompareTarget.Lease, CompareResult.Greater, 7));
        await AssertCompareAsync(true, On("b", CompareTarget.Lease, CompareResult.Less, 8));
        await AssertCompareAsync(false, On("b", CompareTarget.Lease, CompareResult.Less, 7));
        await AssertCompareAsync(true, On("b", CompareTarget.Lease, CompareResult.NotEqual, 0));
        await AssertCompareAsync(false, On("b", CompareTarget.Lease, CompareResult.NotEqual, 7));
        await AssertCompareAsync(true, On("a", CompareTarget.Lease, CompareResult.Equal, 0));
    }

    [Fact]
    public async Task Txn_Compare_OnAMissingKey_ValueFails_NumbersAreZero()
    {
        await SeedCompareKeysAsync();
        await DeleteAsync("p1"); // 9: a key that existed counts as missing too

        foreach (var key in new[] { "zz", "p1" })
        {
            await AssertCompareAsync(false, OnValue(key, CompareResult.Equal, ""));
            await AssertCompareAsync(false, OnValue(key, CompareResult.NotEqual, "x"));
            await AssertCompareAsync(false, OnValue(key, CompareResult.Less, "x"));
            foreach (var target in new[] { CompareTarget.Version, CompareTarget.Create, CompareTarget.Mod, CompareTarget.Lease })
            {
                await AssertCompareAsync(true, On(key, target, CompareResult.Equal, 0));
                await AssertCompareAsync(false, On(key, target, CompareResult.Greater, 0));
                await AssertCompareAsync(true, On(key, target, CompareResult.Less, 1));
                await AssertCompareAsync(true, On(key, target, CompareResult.NotEqual, 3));
            }
        }
    }

    [Fact]
    public async Task Txn_Compare_WithARangeEnd_MustHoldForEveryKeyInTheRange()
    {
        await SeedCompareKeysAsync();
        var p = B("p");
        var pEnd = Bytes.PrefixEnd(B("p"));

        await AssertCompareAsync(true, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Version, Result = CompareResult.Greater, Number = 0 });
        await AssertCompareAsync(true, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Version, Result = CompareResult.Less, Number = 3 });
        await AssertCompareAsync(false, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Version, Result = CompareResult.Equal, Number = 2 });
        await AssertCompareAsync(false, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Version, Result = CompareResult.Equal, Number = 1 });
        await AssertCompareAsync(true, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Create, Result = CompareResult.Greater, Number = 5 });
        await AssertCompareAsync(false, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Mod, Result = CompareResult.Greater, Number = 6 });
        await AssertCompareAsync(false, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Value, Result = CompareResult.Equal, Value = B("1") });
        await AssertCompareAsync(true, new Compare { Key = p, RangeEnd = pEnd, Target = CompareTarget.Value, Result = CompareResult.Less, Value = B("3") });
        await AssertCompareAsync(true, new Compare { Key = B("a"), RangeEnd = Bytes.AllFrom, Target = CompareTarget.Create, Result = CompareResult.Greater, Number = 1 });
        await AssertCompareAsync(false, new Compare { Key = B("a"), RangeEnd = Bytes.AllFrom, Target = CompareTarget.Lease, Result = CompareResult.Equal, Number = 0 });

        // No key alive in the range: a value compare fails, the others compare against zero.
        await AssertCompareAsync(false, new Compare { Key = B("q"), RangeEnd = B("r"), Target = CompareTarget.Value, Result = CompareResult.Equal, Value = Bytes.Empty });
        await AssertCompareAsync(true, new Compare { Key = B("q"), RangeEnd = B("r"), Target = CompareTarget.Version, Result = CompareResult.Equal, Number = 0 });
        await AssertCompareAsync(true, new Compare { Key = B("q"), RangeEnd = B("r"), Target = CompareTarget.Mod, Result = CompareResult.Less, Number = 1 });
    }

    [Fact]
    public async Task Txn_MultipleCompares_AllMustHold()
    {
        await SeedCompareKeysAsync();

        var holds = On("a", CompareTarget.Version, CompareResult.Equal, 2);
        var fails = On("b", CompareTarget.Version, CompareResult.Equal, 2);
        Assert.True((await TxnAsync(new TxnRequest { Compare = [holds, holds, On("b", CompareTarget.Lease, CompareResult.Equal, 7)] })).Succeeded);
        Assert.False((await TxnAsync(new TxnRequest { Compare = [holds, fails] })).Succeeded);
        Assert.False((await TxnAsync(new TxnRequest { Compare = [fails, holds] })).Succeeded);
        await AssertStatusAsync(revision: 8);
    }

    [Fact]
    public async Task Txn_NestedCompares_SeeTheStateBeforeTheTxn_NotItsEarlierWrites()
    {
        await PutAsync("a", "1"); // 2

        var txn = await TxnAsync(new TxnRequest
        {
            Success =
            [
                PutOp("x", "1"),
                PutOp("a", "2"),
                RequestOp.Of(new TxnRequest
                {
                    // As etcd computes the branch path first: x is still missing and a still at version 1 here.
                    Compare = [On("x", CompareTarget.Version, CompareResult.Equal, 0), On("a", CompareTarget.Version, CompareResult.Equal, 1)],
                    Success = [PutOp("before", "1"), GetOp("x")],
                    Failure = [PutOp("after", "1")],
                }),
            ],
        });

        Assert.Equal(3, txn.Revision);
        var inner = txn.Responses[2].Txn!;
        Assert.True(inner.Succeeded);
        // Its ranges, unlike its compares, see the writes before them.
        KvAssert.AssertKvs(inner.Responses[1].Range!.Kvs, KvAssert.Entry("x", "1", 3, 3, 1));
        KvAssert.AssertKeys((await RangeAllAsync()).Kvs, "a,before,x");
    }

    private async Task AssertCompareAsync(bool expected, Compare compare)
    {
        var before = await RevisionAsync();
        var txn = await TxnAsync(new TxnRequest { Compare = [compare] });
        var shown = $"{compare.Target}({Bytes.Show(compare.Key)}"
            + (compare.RangeEnd is null ? "" : $"..{Bytes.Show(compare.RangeEnd)}")
            + $") {compare.Result} {(compare.Target == CompareTarget.Value ? Bytes.Show(compare.Value) : compare.Number)}";
        Assert.True(txn.Succeeded == expected, $"expected {shown} to be {expected}");
        Assert.Equal(before, txn.Revision);
    }

    private static Compare On(string key, CompareTarget target, CompareResult result, long number) =>
        new() { Key = B(key), Target = target, Result = result, Number = number };

    private static Compare OnValue(string key, CompareResult result, string value) =>
        new() { Key = B(key), Target = CompareTarget.Value, Result = result, Value = B(value) };
}
