using Etcdserverpb;
using StateStore.EtcdApi.Http2;
using StateStore.EtcdApi.Tests.Infrastructure;

namespace StateStore.EtcdApi.Tests;

/// <summary>
/// etcdctl 3.4 sends the whole endpoint URL (<c>http://127.0.0.1:2379</c>) as :authority for per-endpoint
/// calls (endpoint status, endpoint hashkv). Kestrel alone resets such streams; with
/// <see cref="EtcdApiExtensions.UseEtcdProtocols"/> they are served. The requests here are the bytes Go's
/// encoder writes: a Huffman-coded literal that enters the dynamic table, then a reference to it.
/// </summary>
public sealed class AuthorityTests : EtcdApiTestBase
{
    private const uint ProtocolError = 0x1;

    private static byte[] FirstRequest(string path, string authority) => new HpackWriter()
        .Indexed(3)                                       // :method POST
        .Indexed(6)                                       // :scheme http
        .LiteralIndexed(4, path, huffman: true)           // :path, into the table (becomes 63)
        .LiteralIndexed(1, authority, huffman: true)      // :authority, into the table (becomes 62)
        .LiteralNotIndexed(31, "application/grpc")        // content-type
        .LiteralNotIndexed("te", "trailers")
        .ToArray();

    private static byte[] RepeatedRequest() => new HpackWriter()
        .Indexed(3).Indexed(6).Indexed(63).Indexed(62)    // :path and :authority from the dynamic table
        .LiteralNotIndexed(31, "application/grpc")
        .LiteralNotIndexed("te", "trailers")
        .ToArray();

    [Fact]
    public async Task A_url_as_authority_is_served_with_huffman_literals_and_dynamic_table_references()
    {
        await PutAsync("k", "v");
        await using var client = await RawHttp2Client.ConnectAsync(Host.Port, Timeout);
        var authority = $"http://127.0.0.1:{Host.Port}";

        await client.SendUnaryAsync(1, FirstRequest("/etcdserverpb.KV/Range", authority), new RangeRequest { Key = B("k") });
        var (first, firstReset) = await client.ReadStreamAsync(1);
        Assert.Null(firstReset);
        var range = RangeResponse.Parser.ParseFrom(Assert.Single(first));
        Assert.Equal("v", S(range.Kvs[0].Value));
        AssertHeader(range.Header, 2);

        await client.SendUnaryAsync(3, RepeatedRequest(), new RangeRequest { Key = B("k"), CountOnly = true });
        var (second, secondReset) = await client.ReadStreamAsync(3);
        Assert.Null(secondReset);
        Assert.Equal(1, RangeResponse.Parser.ParseFrom(Assert.Single(second)).Count);
    }

    [Fact]
    public async Task Maintenance_status_with_a_url_authority_answers_like_endpoint_status()
    {
        await using var client = await RawHttp2Client.ConnectAsync(Host.Port, Timeout);
        await client.SendUnaryAsync(1, FirstRequest("/etcdserverpb.Maintenance/Status", $"http://127.0.0.1:{Host.Port}"), new StatusRequest());
        var (messages, reset) = await client.ReadStreamAsync(1);
        Assert.Null(reset);
        Assert.Equal("3.5.0", StatusResponse.Parser.ParseFrom(Assert.Single(messages)).Version);
    }

    [Fact]
    public async Task Without_the_fix_kestrel_resets_the_stream()
    {
        await using var plain = await EtcdApiHost.StartAsync(Store, fixAuthority: false);
        await using var client = await RawHttp2Client.ConnectAsync(plain.Port, Timeout);
        await client.SendUnaryAsync(1, FirstRequest("/etcdserverpb.KV/Range", $"http://127.0.0.1:{plain.Port}"), new RangeRequest { Key = B("k") });
        var (messages, reset) = await client.ReadStreamAsync(1);
        Assert.Empty(messages);
        Assert.Equal(ProtocolError, reset);
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379", "http---127.0.0.1:2379")]
    [InlineData("https://etcd-0.example.com:2379", "https---etcd-0.example.com:2379")]
    [InlineData("http://localhost:2379/", "http----localhost:2379")]
    [InlineData("http://node1", "http---node1")]
    [InlineData("127.0.0.1:2379", null)]
    [InlineData("http://[::1]:2379", null)]
    [InlineData("http://user@host:1", null)]
    [InlineData("http://host:port", null)]
    public void Repair_keeps_the_length_and_yields_a_valid_host(string authority, string? expected)
    {
        var repaired = AuthorityRepair.Repair(authority);
        Assert.Equal(expected, repaired);
        if (repaired is not null)
        {
            Assert.Equal(authority.Length, repaired.Length);
        }
    }
}
