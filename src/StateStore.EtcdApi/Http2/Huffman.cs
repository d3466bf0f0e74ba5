namespace StateStore.EtcdApi.Http2;

/// <summary>
/// HPACK's static Huffman code (RFC 7541 Appendix B) for decoding header strings. The code is canonical,
/// so the code lengths alone define it: codes are handed out in order of (length, symbol).
/// </summary>
internal static class Huffman
{
    /// <summary>Code length of each symbol 0–255 (RFC 7541 Appendix B); EOS (256) is 30 bits of ones.</summary>
    private static readonly byte[] Lengths =
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    private const int MaxLength = 30;
    private const int Eos = 256;

    // Canonical decoding tables: per length, the first code, how many codes, and where its symbols start.
    private static readonly uint[] FirstCode = new uint[MaxLength + 2];
    private static readonly int[] Count = new int[MaxLength + 2];
    private static readonly int[] Offset = new int[MaxLength + 2];
    private static readonly int[] Symbols;

    static Huffman()
    {
        Symbols = Enumerable.Range(0, Lengths.Length).OrderBy(s => Lengths[s]).ThenBy(s => s).ToArray();
        foreach (var length in Lengths)
        {
            Count[length]++;
        }
        uint code = 0;
        var offset = 0;
        for (var length = 1; length <= MaxLength; length++)
        {
            FirstCode[length] = code;
            Offset[length] = offset;
            code = (code + (uint)Count[length]) << 1;
            offset += Count[length];
        }
    }

    /// <summary>The code and its length for a symbol (for tests and encoders).</summary>
    public static (uint Code, int Length) CodeOf(int symbol)
    {
        var length = Lengths[symbol];
        var rank = Array.IndexOf(Symbols, symbol, Offset[length], Count[length]) - Offset[length];
        return (FirstCode[length] + (uint)rank, length);
    }

    /// <summary>Decodes a Huffman-coded string; false when the input is not a valid encoding.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out byte[] decoded)
    {
        var output = new List<byte>(encoded.Length * 8 / 5);
        uint code = 0;
        var length = 0;
        foreach (var b in encoded)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | (uint)((b >> bit) & 1);
                length++;
                var index = code - FirstCode[length];
                if (index < (uint)Count[length])
                {
                    var symbol = Symbols[Offset[length] + (int)index];
                    if (symbol == Eos)
                    {
                        decoded = [];
                        return false;
                    }
                    output.Add((byte)symbol);
                    code = 0;
                    length = 0;
                }
                else if (length == MaxLength)
                {
                    decoded = [];
                    return false;
                }
            }
        }
        decoded = [.. output];
        // Padding: fewer than 8 bits, all ones (a prefix of EOS).
        return length < 8 && code == (1u << length) - 1;
    }
}
