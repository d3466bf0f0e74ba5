using System.Text;
using StateStore.EtcdApi.Http2;
using StateStore.EtcdApi.Tests.Infrastructure;

namespace StateStore.EtcdApi.Tests;

/// <summary>HPACK's Huffman code, rebuilt from code lengths, checked against RFC 7541's examples.</summary>
public sealed class HuffmanTests
{
    [Theory]
    [InlineData("f1e3c2e5f23a6ba0ab90f4ff", "www.example.com")]  // RFC 7541 C.4.1
    [InlineData("a8eb10649cbf", "no-cache")]                     // C.4.2
    [InlineData("25a849e95ba97d7f", "custom-key")]               // C.4.3
    [InlineData("25a849e95bb8e8b4bf", "custom-value")]           // C.4.3
    [InlineData("6402", "302")]                                  // C.6.1
    [InlineData("aec3771a4b", "private")]                        // C.6.1
    public void Decodes_the_rfc_examples(string hex, string text)
    {
        Assert.True(Huffman.TryDecode(Convert.FromHexString(hex), out var decoded));
        Assert.Equal(text, Encoding.ASCII.GetString(decoded));
        Assert.Equal(hex, Convert.ToHexStringLower(HpackWriter.HuffmanEncode(text)));
    }

    [Fact]
    public void The_canonical_code_matches_the_rfc_at_its_ends()
    {
        Assert.Equal((0x1ff8u, 13), Huffman.CodeOf(0));
        Assert.Equal((0x0u, 5), Huffman.CodeOf('0'));
        Assert.Equal((0x3ffffeeu, 26), Huffman.CodeOf(255));
        Assert.Equal((0x3fffffffu, 30), Huffman.CodeOf(256));
    }

    [Fact]
    public void Every_byte_round_trips_and_bad_padding_is_refused()
    {
        var all = new string(Enumerable.Range(0, 256).Select(i => (char)i).ToArray());
        Assert.True(Huffman.TryDecode(HpackWriter.HuffmanEncode(all), out var decoded));
        Assert.Equal(all, Encoding.Latin1.GetString(decoded));
        Assert.False(Huffman.TryDecode([0x00], out _)); // '0' then 3 zero bits of padding
    }
}
