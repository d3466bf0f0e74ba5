namespace StateStore.Jepsen.Core.Validate;

/// <summary>Which ops a linearization attempt has placed: a fixed-size bit set with value equality, for the search's memo.</summary>
internal sealed class Bitset : IEquatable<Bitset>
{
    private readonly ulong[] _words;

    public Bitset(int bits) => _words = new ulong[(bits + 63) / 64];

    private Bitset(ulong[] words) => _words = words;

    public void Set(int bit) => _words[bit >> 6] |= 1UL << (bit & 63);

    public void Clear(int bit) => _words[bit >> 6] &= ~(1UL << (bit & 63));

    public Bitset Clone() => new((ulong[])_words.Clone());

    public bool Equals(Bitset? other) => other is not null && _words.AsSpan().SequenceEqual(other._words);

    public override bool Equals(object? obj) => Equals(obj as Bitset);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var word in _words)
        {
            hash.Add(word);
        }
        return hash.ToHashCode();
    }
}
