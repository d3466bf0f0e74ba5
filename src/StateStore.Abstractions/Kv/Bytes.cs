using System.Text;

namespace StateStore.Kv;

/// <summary>Byte-string helpers shared by every layer: ordering, prefix ranges, display.</summary>
public static class Bytes
{
    /// <summary>An empty byte string.</summary>
    public static readonly byte[] Empty = [];

    /// <summary>etcd's "\0" range end: with it a range covers every key ≥ the start key.</summary>
    public static readonly byte[] AllFrom = [0];

    /// <summary>Unsigned lexicographic order, as etcd and Go's bytes.Compare.</summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.SequenceCompareTo(b);

    /// <summary>
    /// The range end that covers every key with this prefix (etcd's <c>clientv3.GetPrefixRangeEnd</c>):
    /// the prefix with its last byte below 0xff incremented and the rest dropped; "\0" when the prefix
    /// is all 0xff or empty.
    /// </summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xff)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }
        return AllFrom;
    }

    /// <summary>UTF-8 bytes of a string (convenience for tests and tools).</summary>
    public static byte[] Of(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Printable form: UTF-8 text when it is printable, hex otherwise.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 || b > 0x7e)
            {
                return "0x" + Convert.ToHexString(bytes);
            }
        }
        return Encoding.ASCII.GetString(bytes);
    }
}

/// <summary>Compares byte arrays as <see cref="Bytes.Compare"/> does.</summary>
public sealed class ByteArrayComparer : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => Bytes.Compare(x, y);

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
