using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    /// <summary>1.5 MiB: the most key + value bytes one request may carry.</summary>
    protected const int MaxRequestBytes = 1_572_864;

    /// <summary>etcd's default --max-txn-ops.</summary>
    protected const int MaxTxnOps = 128;

    private static byte[] Filler(int length, int seed = 0)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((i + seed) % 251);
        }
        return bytes;
    }

    [Fact]
    public async Task Put_ExactlyAtTheSizeLimit_IsAccepted_AndReadBackWhole()
    {
        var key = B("big");
        var value = Filler(MaxRequestBytes - key.Length);

        var put = await PutAsync(new PutRequest { Key = key, Value = value });

        Assert.Equal(2, put.Revision);
        var read = await GetAsync("big");
        Assert.NotNull(read);
        Assert.Equal(value.Length, read.Value.Length);
        Assert.True(value.AsSpan().SequenceEqual(read.Value), "the value read back differs from the value written");
        Assert.Equal((2L, 2L, 1L), (read.CreateRevision, read.ModRevision, read.Version));
    }

    [Fact]
    public async Task Put_OneByteOverTheSizeLimit_IsRequestTooLarge_AndChangesNothing()
    {
        await PutAsync("big", "small"); // 2
        var key = B("big");

        Fails(KvStatus.RequestTooLarge, await Store.PutAsync(new PutRequest { Key = key, Value = Filler(MaxRequestBytes - key.Length + 1) }, Ct));
        Fails(KvStatus.RequestTooLarge, await Store.PutAsync(new PutRequest { Key = B("other"), Value = Filler(2 * MaxRequestBytes) }, Ct));

        await AssertStatusAsync(revision: 2);
        AssertKvs((await RangeAllAsync()).Kvs, Entry("big", "small", 2, 2, 1));
    }

    [Fact]
    public async Task Txn_KeysAndValuesOverTheSizeLimit_IsRequestTooLarge_AndChangesNothing()
    {
        var half = Filler(800_000);
        var tooLarge = new TxnRequest
        {
            Success =
            [
                RequestOp.Of(new PutRequest { Key = B("x1"), Value = half }),
                RequestOp.Of(new PutRequest { Key = B("x2"), Value = half }),
            ],
        };

        Fails(KvStatus.RequestTooLarge, await Store.TxnAsync(tooLarge, Ct));
        await AssertStatusAsync(revision: 1);
        Assert.Empty((await RangeAllAsync()).Kvs);

        var fits = new TxnRequest
        {
            Success =
            [
                RequestOp.Of(new PutRequest { Key = B("x1"), Value = Filler(700_000) }),
                RequestOp.Of(new PutRequest { Key = B("x2"), Value = Filler(700_000, seed: 1) }),
            ],
        };
        Assert.Equal(2, (await TxnAsync(fits)).Revision);
        Assert.Equal(2, (await RangeAsync(new RangeRequest { Key = B("x"), RangeEnd = B("y"), CountOnly = true })).Count);
    }

    [Fact]
    public async Task Txn_WithMaxOps_IsAccepted()
    {
        var ops = Enumerable.Range(0, MaxTxnOps).Select(i => PutOp($"k{i:D3}", $"{i}")).ToArray();
        var compares = Enumerable.Range(0, MaxTxnOps)
            .Select(i => new Compare { Key = B($"k{i:D3}"), Target = CompareTarget.Version, Number = 0 })
            .ToArray();

        var txn = await TxnAsync(new TxnRequest { Compare = compares, Success = ops, Failure = ops });

        Assert.True(txn.Succeeded);
        Assert.Equal(2, txn.Revision);
        Assert.Equal(MaxTxnOps, txn.Responses.Count);
        var all = await RangeAllAsync();
        Assert.Equal(MaxTxnOps, all.Count);
        AssertKv(all.Kvs[MaxTxnOps - 1], $"k{MaxTxnOps - 1:D3}", $"{MaxTxnOps - 1}", 2, 2, 1);
    }

    [Fact]
    public async Task Txn_WithOneOpTooMany_AnywhereInTheRequest_IsTooManyOps_AndChangesNothing()
    {
        await PutAsync("a", "1"); // 2
        var tooMany = Enumerable.Range(0, MaxTxnOps + 1).Select(i => PutOp($"k{i:D3}", "v")).ToArray();
        var tooManyCompares = Enumerable.Range(0, MaxTxnOps + 1)
            .Select(_ => new Compare { Key = B("a"), Target = CompareTarget.Version, Number = 1 })
            .ToArray();

        TxnRequest[] requests =
        [
            new() { Success = tooMany },
            new() { Compare = tooManyCompares, Success = [PutOp("b", "1")] },
            // The branch that would not run counts too.
            new() { Success = [PutOp("b", "1")], Failure = tooMany },
            new() { Success = [PutOp("b", "1"), RequestOp.Of(new TxnRequest { Success = tooMany })] },
        ];

        foreach (var request in requests)
        {
            Fails(KvStatus.TooManyOps, await Store.TxnAsync(request, Ct));
        }

        await AssertStatusAsync(revision: 2);
        AssertKvs((await RangeAllAsync()).Kvs, Entry("a", "1", 2, 2, 1));
    }
}
