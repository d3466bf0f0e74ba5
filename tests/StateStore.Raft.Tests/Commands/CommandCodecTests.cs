using System.Buffers;
using StateStore.Kv;
using StateStore.Raft.Commands;

namespace StateStore.Raft.Tests.Commands;

public sealed class CommandCodecTests
{
    private static Command RoundTrip(Command command) => CommandCodec.Decode(new ReadOnlySequence<byte>(CommandCodec.Encode(command)));

    [Fact]
    public void A_put_keeps_every_field()
    {
        var id = new RequestId(0xdead_beef_0000_0001, 42);
        var decoded = RoundTrip(new Command(id, new PutRequest
        {
            Key = [1, 2], Value = [0, 255], Lease = 7, PrevKv = true, IgnoreValue = false, IgnoreLease = true,
        }));
        Assert.Equal(id, decoded.Id);
        var put = Assert.IsType<PutRequest>(decoded.Body);
        Assert.Equal([1, 2], put.Key);
        Assert.Equal([0, 255], put.Value);
        Assert.Equal(7, put.Lease);
        Assert.Equal((true, false, true), (put.PrevKv, put.IgnoreValue, put.IgnoreLease));
    }

    [Fact]
    public void A_nested_txn_keeps_its_compares_branches_and_null_range_ends()
    {
        var txn = new TxnRequest
        {
            Compare =
            [
                new Compare { Key = Bytes.Of("a"), Target = CompareTarget.Value, Result = CompareResult.NotEqual, Value = Bytes.Of("x") },
                new Compare { Key = Bytes.Of("b"), RangeEnd = Bytes.AllFrom, Target = CompareTarget.Mod, Result = CompareResult.Less, Number = -3 },
            ],
            Success =
            [
                RequestOp.Of(new RangeRequest
                {
                    Key = Bytes.Of("r"), RangeEnd = Bytes.Of("s"), Limit = 5, Revision = 9, SortOrder = SortOrder.Descend,
                    SortTarget = SortTarget.Value, KeysOnly = true, MinModRevision = 1, MaxModRevision = 2, MinCreateRevision = 3, MaxCreateRevision = 4,
                }),
                RequestOp.Of(new TxnRequest { Failure = [RequestOp.Of(new DeleteRangeRequest { Key = Bytes.Of("d"), PrevKv = true })] }),
            ],
            Failure = [RequestOp.Of(new PutRequest { Key = Bytes.Of("p") })],
        };
        var decoded = Assert.IsType<TxnRequest>(RoundTrip(new Command(RequestId.None, txn)).Body);

        Assert.Equal(2, decoded.Compare.Count);
        Assert.Null(decoded.Compare[0].RangeEnd);
        Assert.Equal((CompareTarget.Value, CompareResult.NotEqual, "x"), (decoded.Compare[0].Target, decoded.Compare[0].Result, Bytes.Show(decoded.Compare[0].Value)));
        Assert.Equal([0], decoded.Compare[1].RangeEnd);
        Assert.Equal(-3, decoded.Compare[1].Number);
        var range = decoded.Success[0].Range!;
        Assert.Equal(
            (5L, 9L, SortOrder.Descend, SortTarget.Value, true, false, 1L, 2L, 3L, 4L),
            (range.Limit, range.Revision, range.SortOrder, range.SortTarget, range.KeysOnly, range.CountOnly, range.MinModRevision, range.MaxModRevision, range.MinCreateRevision, range.MaxCreateRevision));
        var nested = decoded.Success[1].Txn!;
        Assert.Empty(nested.Success);
        Assert.True(nested.Failure[0].DeleteRange!.PrevKv);
        Assert.Null(nested.Failure[0].DeleteRange!.RangeEnd);
        Assert.Equal("p", Bytes.Show(decoded.Failure[0].Put!.Key));
        Assert.Empty(decoded.Failure[0].Put!.Value);
    }

    [Fact]
    public void A_compact_round_trips()
    {
        var compact = Assert.IsType<CompactRequest>(RoundTrip(new Command(RequestId.None, new CompactRequest { Revision = long.MaxValue, Physical = true })).Body);
        Assert.Equal((long.MaxValue, true), (compact.Revision, compact.Physical));
    }

    [Fact]
    public void Random_commands_reencode_to_the_same_bytes()
    {
        var random = new Random(11);
        for (var i = 0; i < 2_000; i++)
        {
            var command = new Command(new RequestId((ulong)random.NextInt64(), random.NextInt64()), RandomBody(random, depth: 0));
            var bytes = CommandCodec.Encode(command);
            Assert.Equal(bytes, CommandCodec.Encode(CommandCodec.Decode(new ReadOnlySequence<byte>(bytes))));
        }
    }

    [Fact]
    public void Damaged_payloads_are_refused()
    {
        var bytes = CommandCodec.Encode(new Command(RequestId.None, new PutRequest { Key = Bytes.Of("k"), Value = new byte[100] }));
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(new ReadOnlySequence<byte>(bytes[..^1])));
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(new ReadOnlySequence<byte>([.. bytes, 0])));
        var badFormat = (byte[])bytes.Clone();
        badFormat[0] = 99;
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(new ReadOnlySequence<byte>(badFormat)));
    }

    private static byte[] RandomBytes(Random random) => random.Next(5) == 0 ? [] : Enumerable.Range(0, random.Next(1, 20)).Select(_ => (byte)random.Next(256)).ToArray();

    private static object RandomBody(Random random, int depth) => random.Next(depth < 2 ? 4 : 3) switch
    {
        0 => new PutRequest { Key = RandomBytes(random), Value = RandomBytes(random), Lease = random.NextInt64(), PrevKv = random.Next(2) == 0, IgnoreLease = random.Next(2) == 0 },
        1 => new DeleteRangeRequest { Key = RandomBytes(random), RangeEnd = random.Next(2) == 0 ? null : RandomBytes(random), PrevKv = random.Next(2) == 0 },
        2 => new CompactRequest { Revision = random.NextInt64(-5, long.MaxValue) },
        _ => new TxnRequest
        {
            Compare = Enumerable.Range(0, random.Next(3)).Select(_ => new Compare
            {
                Key = RandomBytes(random), Target = (CompareTarget)random.Next(5), Result = (CompareResult)random.Next(4), Number = random.NextInt64(), Value = RandomBytes(random),
            }).ToArray(),
            Success = RandomOps(random, depth),
            Failure = RandomOps(random, depth),
        },
    };

    private static RequestOp[] RandomOps(Random random, int depth) => Enumerable.Range(0, random.Next(4)).Select(_ =>
        random.Next(4) == 0
            ? RequestOp.Of(new RangeRequest { Key = RandomBytes(random), Limit = random.Next(10), Revision = random.NextInt64(), CountOnly = random.Next(2) == 0 })
            : RandomBody(random, depth + 1) switch
            {
                PutRequest p => RequestOp.Of(p),
                DeleteRangeRequest d => RequestOp.Of(d),
                TxnRequest t => RequestOp.Of(t),
                _ => RequestOp.Of(new PutRequest { Key = RandomBytes(random) }),
            }).ToArray();
}
