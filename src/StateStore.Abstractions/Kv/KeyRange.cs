namespace StateStore.Kv;

/// <summary>
/// The set of keys a request names, with etcd's conventions: no range end means the key alone;
/// a range end of "\0" means every key ≥ key (and key "\0" with range end "\0" means all keys);
/// otherwise the half-open interval [key, rangeEnd).
/// </summary>
public readonly struct KeyRange
{
    private KeyRange(byte[] start, byte[]? end, bool single)
    {
        Start = start;
        End = end;
        IsSingleKey = single;
    }

    /// <summary>The first key (inclusive).</summary>
    public byte[] Start { get; }

    /// <summary>The end (exclusive), or null for "no upper bound".</summary>
    public byte[]? End { get; }

    /// <summary>True when the range names exactly one key.</summary>
    public bool IsSingleKey { get; }

    /// <summary>Interprets an etcd (key, range_end) pair.</summary>
    public static KeyRange From(byte[] key, byte[]? rangeEnd)
    {
        if (rangeEnd is null || rangeEnd.Length == 0)
        {
            return new KeyRange(key, null, single: true);
        }
        if (rangeEnd is [0])
        {
            return new KeyRange(key, null, single: false);
        }
        return new KeyRange(key, rangeEnd, single: false);
    }

    /// <summary>True when the key falls inside the range.</summary>
    public bool Contains(ReadOnlySpan<byte> key)
    {
        if (IsSingleKey)
        {
            return key.SequenceEqual(Start);
        }
        return Bytes.Compare(key, Start) >= 0 && (End is null || Bytes.Compare(key, End) < 0);
    }

    /// <summary>True when no key can fall inside (range end at or before the start).</summary>
    public bool IsEmpty => !IsSingleKey && End is not null && Bytes.Compare(End, Start) <= 0;

    public override string ToString() =>
        IsSingleKey ? Bytes.Show(Start) : $"[{Bytes.Show(Start)}, {(End is null ? "∞" : Bytes.Show(End))})";
}
