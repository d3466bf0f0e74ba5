using System.Text;

namespace StateStore.EtcdApi.Http2;

/// <summary>
/// Walks the HPACK header blocks of one connection (client → server), keeping a mirror of the decoder's
/// dynamic table, and rewrites an <c>:authority</c> that Kestrel would reject (a whole URL, as etcdctl
/// sends) into one it accepts of the same length. The same length keeps every dynamic-table entry the
/// same size, so the client's encoder and Kestrel's decoder stay in step without re-encoding anything else.
/// </summary>
internal sealed class HpackAuthorityRewriter
{
    private const int EntryOverhead = 32;

    private readonly LinkedList<(string Name, int Size)> _dynamic = new();
    private int _size;
    private int _maxSize = 4096;

    /// <summary>
    /// Rewrites one whole header block; returns null when nothing changed. Throws
    /// <see cref="InvalidDataException"/> on a block that is not valid HPACK.
    /// </summary>
    public byte[]? Rewrite(ReadOnlySpan<byte> block, out string? original, out string? rewritten)
    {
        original = rewritten = null;
        List<byte>? result = null;
        var copied = 0;
        var pos = 0;
        while (pos < block.Length)
        {
            var first = block[pos];
            if ((first & 0x80) != 0)
            {
                // Indexed field: the entry is already in both tables, rewritten if it needed to be.
                NameAt(ReadInteger(block, ref pos, 7));
                continue;
            }
            if ((first & 0xE0) == 0x20)
            {
                Resize(ReadInteger(block, ref pos, 5));
                continue;
            }
            var indexing = (first & 0xC0) == 0x40;
            var nameIndex = ReadInteger(block, ref pos, indexing ? 6 : 4);
            var name = nameIndex == 0 ? Encoding.Latin1.GetString(ReadString(block, ref pos)) : NameAt(nameIndex);
            var valueStart = pos;
            var value = ReadString(block, ref pos);
            if (name == ":authority" && AuthorityRepair.Repair(Encoding.Latin1.GetString(value)) is { } repaired)
            {
                result ??= new List<byte>(block.Length + 16);
                result.AddRange(block[copied..valueStart]);
                WriteRawString(result, Encoding.Latin1.GetBytes(repaired));
                copied = pos;
                original = Encoding.Latin1.GetString(value);
                rewritten = repaired;
            }
            if (indexing)
            {
                Insert(name, value.Length);
            }
        }
        if (result is null)
        {
            return null;
        }
        result.AddRange(block[copied..]);
        return [.. result];
    }

    private string NameAt(int index)
    {
        if (index <= 0)
        {
            throw new InvalidDataException("HPACK index 0");
        }
        if (index <= StaticTable.Count)
        {
            return StaticTable.Names[index];
        }
        var dynamicIndex = index - StaticTable.Count - 1;
        if (dynamicIndex >= _dynamic.Count)
        {
            throw new InvalidDataException($"HPACK index {index} is past the dynamic table");
        }
        return _dynamic.ElementAt(dynamicIndex).Name;
    }

    private void Insert(string name, int valueLength)
    {
        var size = name.Length + valueLength + EntryOverhead;
        _dynamic.AddFirst((name, size));
        _size += size;
        Evict();
    }

    private void Resize(int maxSize)
    {
        _maxSize = maxSize;
        Evict();
    }

    private void Evict()
    {
        while (_size > _maxSize && _dynamic.Last is { } oldest)
        {
            _size -= oldest.Value.Size;
            _dynamic.RemoveLast();
        }
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541 §5.1).</summary>
    private static int ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        var mask = (1 << prefixBits) - 1;
        var value = block[pos++] & mask;
        if (value < mask)
        {
            return value;
        }
        for (var shift = 0; shift <= 21; shift += 7)
        {
            if (pos >= block.Length)
            {
                throw new InvalidDataException("HPACK integer cut short");
            }
            var b = block[pos++];
            value += (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("HPACK integer too large");
    }

    /// <summary>An HPACK string literal (RFC 7541 §5.2), Huffman-decoded when flagged.</summary>
    private static byte[] ReadString(ReadOnlySpan<byte> block, ref int pos)
    {
        if (pos >= block.Length)
        {
            throw new InvalidDataException("HPACK string missing");
        }
        var huffman = (block[pos] & 0x80) != 0;
        var length = ReadInteger(block, ref pos, 7);
        if (length > block.Length - pos)
        {
            throw new InvalidDataException("HPACK string cut short");
        }
        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            return raw.ToArray();
        }
        return Huffman.TryDecode(raw, out var decoded) ? decoded : throw new InvalidDataException("invalid HPACK Huffman string");
    }

    private static void WriteRawString(List<byte> output, byte[] value)
    {
        var length = value.Length;
        if (length < 0x7f)
        {
            output.Add((byte)length);
        }
        else
        {
            output.Add(0x7f);
            length -= 0x7f;
            while (length >= 0x80)
            {
                output.Add((byte)((length & 0x7f) | 0x80));
                length >>= 7;
            }
            output.Add((byte)length);
        }
        output.AddRange(value);
    }
}
