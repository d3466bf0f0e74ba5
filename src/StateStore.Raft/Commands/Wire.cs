using System.Buffers;
using StateStore.Kv;

namespace StateStore.Raft.Commands;

/// <summary>
/// Writes the primitives of the replicated formats: bytes, zig-zag LEB128 integers (small negative
/// numbers stay short), length-prefixed byte strings (length -1 for null) and packed flags.
/// </summary>
internal sealed class WireWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    public void Byte(byte value) => _buffer.Write([value]);

    public void Raw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void Long(long value)
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
        _buffer.Write(buffer[..n]);
    }

    public void Bytes(byte[]? bytes)
    {
        Long(bytes is null ? -1 : bytes.Length);
        if (bytes is { Length: > 0 })
        {
            _buffer.Write(bytes);
        }
    }

    public void Strings(IReadOnlyList<string> strings)
    {
        Long(strings.Count);
        foreach (var s in strings)
        {
            Bytes(System.Text.Encoding.UTF8.GetBytes(s));
        }
    }

    public void Flags(params ReadOnlySpan<bool> flags)
    {
        byte bits = 0;
        for (var i = 0; i < flags.Length; i++)
        {
            bits |= flags[i] ? (byte)(1 << i) : (byte)0;
        }
        Byte(bits);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}

/// <summary>Reads what <see cref="WireWriter"/> wrote; anything truncated or out of range is <see cref="InvalidDataException"/>.</summary>
internal ref struct WireReader(ReadOnlySequence<byte> payload)
{
    private SequenceReader<byte> _reader = new(payload);

    public byte Byte() => _reader.TryRead(out var b) ? b : throw new InvalidDataException("truncated payload");

    public long LittleEndianLong() =>
        _reader.TryReadLittleEndian(out long value) ? value : throw new InvalidDataException("truncated payload");

    public long Long()
    {
        ulong v = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Byte();
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return (long)(v >> 1) ^ -(long)(v & 1);
            }
        }
        throw new InvalidDataException("varint too long");
    }

    public byte[]? Bytes()
    {
        var length = Long();
        if (length < 0)
        {
            return null;
        }
        if (length == 0)
        {
            return StateStore.Kv.Bytes.Empty;
        }
        if (length > _reader.Remaining)
        {
            throw new InvalidDataException($"a byte string of {length} bytes runs past the payload");
        }
        var bytes = new byte[length];
        _reader.TryCopyTo(bytes);
        _reader.Advance(length);
        return bytes;
    }

    public int Count()
    {
        var count = Long();
        return count >= 0 && count <= _reader.Remaining ? (int)count : throw new InvalidDataException($"bad count {count}");
    }

    public string[] Strings()
    {
        var strings = new string[Count()];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = System.Text.Encoding.UTF8.GetString(Bytes()!);
        }
        return strings;
    }

    public bool[] Flags(int count)
    {
        var bits = Byte();
        var flags = new bool[count];
        for (var i = 0; i < count; i++)
        {
            flags[i] = (bits & (1 << i)) != 0;
        }
        return flags;
    }

    public readonly void ExpectEnd()
    {
        if (!_reader.End)
        {
            throw new InvalidDataException($"{_reader.Remaining} bytes after the payload");
        }
    }
}
