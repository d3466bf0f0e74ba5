using System.Buffers;
using System.Buffers.Binary;
using StateStore.Kv;

namespace StateStore.Raft.Commands;

/// <summary>
/// The log entry format of a <see cref="Command"/>: a format byte, the request id, a kind byte and
/// the request's fields (lengths and integers as LEB128 varints, byte strings length-prefixed; a
/// null range end is length -1). Written once here so every member decodes what any member wrote.
/// </summary>
internal static class CommandCodec
{
    private const byte Format = 1;

    private enum Kind : byte
    {
        Put = 1,
        DeleteRange = 2,
        Txn = 3,
        Compact = 4,
        Range = 5,
    }

    public static byte[] Encode(Command command)
    {
        var writer = new ArrayBufferWriter<byte>(64);
        writer.Write([Format]);
        Span<byte> id = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(id, command.Id.Boot);
        BinaryPrimitives.WriteInt64LittleEndian(id[8..], command.Id.Sequence);
        writer.Write(id);
        WriteBody(writer, command.Body);
        return writer.WrittenSpan.ToArray();
    }

    public static Command Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryRead(out var format) || format != Format)
        {
            throw new InvalidDataException($"unknown command format {format}");
        }
        if (!reader.TryReadLittleEndian(out long boot) || !reader.TryReadLittleEndian(out long sequence))
        {
            throw new InvalidDataException("truncated command id");
        }
        var body = ReadBody(ref reader);
        if (!reader.End)
        {
            throw new InvalidDataException($"{reader.Remaining} bytes after the command");
        }
        return new Command(new RequestId((ulong)boot, sequence), body);
    }

    private static void WriteBody(ArrayBufferWriter<byte> w, object body)
    {
        switch (body)
        {
            case PutRequest put:
                w.Write([(byte)Kind.Put]);
                WritePut(w, put);
                break;
            case DeleteRangeRequest delete:
                w.Write([(byte)Kind.DeleteRange]);
                WriteDelete(w, delete);
                break;
            case TxnRequest txn:
                w.Write([(byte)Kind.Txn]);
                WriteTxn(w, txn);
                break;
            case CompactRequest compact:
                w.Write([(byte)Kind.Compact]);
                WriteLong(w, compact.Revision);
                WriteFlags(w, compact.Physical);
                break;
            default:
                throw new ArgumentException($"cannot encode a {body.GetType().Name}", nameof(body));
        }
    }

    private static object ReadBody(ref SequenceReader<byte> r) => (Kind)ReadByte(ref r) switch
    {
        Kind.Put => ReadPut(ref r),
        Kind.DeleteRange => ReadDelete(ref r),
        Kind.Txn => ReadTxn(ref r),
        Kind.Compact => new CompactRequest { Revision = ReadLong(ref r), Physical = ReadFlags(ref r, 1)[0] },
        var kind => throw new InvalidDataException($"unknown command kind {kind}"),
    };

    private static void WritePut(ArrayBufferWriter<byte> w, PutRequest p)
    {
        WriteBytes(w, p.Key);
        WriteBytes(w, p.Value);
        WriteLong(w, p.Lease);
        WriteFlags(w, p.PrevKv, p.IgnoreValue, p.IgnoreLease);
    }

    private static PutRequest ReadPut(ref SequenceReader<byte> r)
    {
        var key = ReadBytes(ref r)!;
        var value = ReadBytes(ref r)!;
        var lease = ReadLong(ref r);
        var f = ReadFlags(ref r, 3);
        return new PutRequest { Key = key, Value = value, Lease = lease, PrevKv = f[0], IgnoreValue = f[1], IgnoreLease = f[2] };
    }

    private static void WriteDelete(ArrayBufferWriter<byte> w, DeleteRangeRequest d)
    {
        WriteBytes(w, d.Key);
        WriteBytes(w, d.RangeEnd);
        WriteFlags(w, d.PrevKv);
    }

    private static DeleteRangeRequest ReadDelete(ref SequenceReader<byte> r) =>
        new() { Key = ReadBytes(ref r)!, RangeEnd = ReadBytes(ref r), PrevKv = ReadFlags(ref r, 1)[0] };

    private static void WriteRange(ArrayBufferWriter<byte> w, RangeRequest q)
    {
        WriteBytes(w, q.Key);
        WriteBytes(w, q.RangeEnd);
        WriteLong(w, q.Limit);
        WriteLong(w, q.Revision);
        WriteLong(w, (long)q.SortOrder);
        WriteLong(w, (long)q.SortTarget);
        WriteFlags(w, q.Serializable, q.KeysOnly, q.CountOnly);
        WriteLong(w, q.MinModRevision);
        WriteLong(w, q.MaxModRevision);
        WriteLong(w, q.MinCreateRevision);
        WriteLong(w, q.MaxCreateRevision);
    }

    private static RangeRequest ReadRange(ref SequenceReader<byte> r)
    {
        var key = ReadBytes(ref r)!;
        var end = ReadBytes(ref r);
        var limit = ReadLong(ref r);
        var revision = ReadLong(ref r);
        var order = (SortOrder)ReadLong(ref r);
        var target = (SortTarget)ReadLong(ref r);
        var f = ReadFlags(ref r, 3);
        return new RangeRequest
        {
            Key = key, RangeEnd = end, Limit = limit, Revision = revision, SortOrder = order, SortTarget = target,
            Serializable = f[0], KeysOnly = f[1], CountOnly = f[2],
            MinModRevision = ReadLong(ref r), MaxModRevision = ReadLong(ref r),
            MinCreateRevision = ReadLong(ref r), MaxCreateRevision = ReadLong(ref r),
        };
    }

    private static void WriteTxn(ArrayBufferWriter<byte> w, TxnRequest t)
    {
        WriteLong(w, t.Compare.Count);
        foreach (var c in t.Compare)
        {
            WriteBytes(w, c.Key);
            WriteBytes(w, c.RangeEnd);
            WriteLong(w, (long)c.Target);
            WriteLong(w, (long)c.Result);
            WriteLong(w, c.Number);
            WriteBytes(w, c.Value);
        }
        WriteOps(w, t.Success);
        WriteOps(w, t.Failure);
    }

    private static TxnRequest ReadTxn(ref SequenceReader<byte> r)
    {
        var compares = new Compare[ReadCount(ref r)];
        for (var i = 0; i < compares.Length; i++)
        {
            compares[i] = new Compare
            {
                Key = ReadBytes(ref r)!, RangeEnd = ReadBytes(ref r),
                Target = (CompareTarget)ReadLong(ref r), Result = (CompareResult)ReadLong(ref r),
                Number = ReadLong(ref r), Value = ReadBytes(ref r)!,
            };
        }
        var success = ReadOps(ref r);
        var failure = ReadOps(ref r);
        return new TxnRequest { Compare = compares, Success = success, Failure = failure };
    }

    private static void WriteOps(ArrayBufferWriter<byte> w, IReadOnlyList<RequestOp> ops)
    {
        WriteLong(w, ops.Count);
        foreach (var op in ops)
        {
            switch (op)
            {
                case { Range: { } range }:
                    w.Write([(byte)Kind.Range]);
                    WriteRange(w, range);
                    break;
                case { Put: { } put }:
                    w.Write([(byte)Kind.Put]);
                    WritePut(w, put);
                    break;
                case { DeleteRange: { } delete }:
                    w.Write([(byte)Kind.DeleteRange]);
                    WriteDelete(w, delete);
                    break;
                case { Txn: { } txn }:
                    w.Write([(byte)Kind.Txn]);
                    WriteTxn(w, txn);
                    break;
                default:
                    throw new ArgumentException("a txn operation names no request");
            }
        }
    }

    private static RequestOp[] ReadOps(ref SequenceReader<byte> r)
    {
        var ops = new RequestOp[ReadCount(ref r)];
        for (var i = 0; i < ops.Length; i++)
        {
            ops[i] = (Kind)ReadByte(ref r) switch
            {
                Kind.Range => RequestOp.Of(ReadRange(ref r)),
                Kind.Put => RequestOp.Of(ReadPut(ref r)),
                Kind.DeleteRange => RequestOp.Of(ReadDelete(ref r)),
                Kind.Txn => RequestOp.Of(ReadTxn(ref r)),
                var kind => throw new InvalidDataException($"unknown txn operation {kind}"),
            };
        }
        return ops;
    }

    private static void WriteFlags(ArrayBufferWriter<byte> w, params ReadOnlySpan<bool> flags)
    {
        byte bits = 0;
        for (var i = 0; i < flags.Length; i++)
        {
            bits |= flags[i] ? (byte)(1 << i) : (byte)0;
        }
        w.Write([bits]);
    }

    private static bool[] ReadFlags(ref SequenceReader<byte> r, int count)
    {
        var bits = ReadByte(ref r);
        var flags = new bool[count];
        for (var i = 0; i < count; i++)
        {
            flags[i] = (bits & (1 << i)) != 0;
        }
        return flags;
    }

    private static void WriteBytes(ArrayBufferWriter<byte> w, byte[]? bytes)
    {
        WriteLong(w, bytes is null ? -1 : bytes.Length);
        if (bytes is { Length: > 0 })
        {
            w.Write(bytes);
        }
    }

    private static byte[]? ReadBytes(ref SequenceReader<byte> r)
    {
        var length = ReadLong(ref r);
        if (length < 0)
        {
            return null;
        }
        if (length == 0)
        {
            return Bytes.Empty;
        }
        if (length > r.Remaining)
        {
            throw new InvalidDataException($"a byte string of {length} bytes runs past the command");
        }
        var bytes = new byte[length];
        r.TryCopyTo(bytes);
        r.Advance(length);
        return bytes;
    }

    private static int ReadCount(ref SequenceReader<byte> r)
    {
        var count = ReadLong(ref r);
        return count is >= 0 and <= int.MaxValue ? (int)count : throw new InvalidDataException($"bad count {count}");
    }

    /// <summary>Zig-zag LEB128, so small negative numbers (a null length) stay short.</summary>
    private static void WriteLong(ArrayBufferWriter<byte> w, long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        Span<byte> buffer = stackalloc byte[10];
        var n = 0;
        while (v >= 0x80)
        {
            buffer[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        buffer[n++] = (byte)v;
        w.Write(buffer[..n]);
    }

    private static long ReadLong(ref SequenceReader<byte> r)
    {
        ulong v = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte(ref r);
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return (long)(v >> 1) ^ -(long)(v & 1);
            }
        }
        throw new InvalidDataException("varint too long");
    }

    private static byte ReadByte(ref SequenceReader<byte> r) =>
        r.TryRead(out var b) ? b : throw new InvalidDataException("truncated command");
}
