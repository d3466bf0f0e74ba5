using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StateStore.EtcdApi.Http2;

namespace StateStore.EtcdApi.Tests.Infrastructure;

/// <summary>
/// A bare HTTP/2 client over TCP that writes header blocks byte by byte, so a test can send exactly what Go's
/// gRPC client (etcdctl) sends: Huffman-coded literals, dynamic-table references, any :authority.
/// </summary>
public sealed class RawHttp2Client : IAsyncDisposable
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, GoAway = 0x7;
    public const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly CancellationToken _timeout;

    private RawHttp2Client(TcpClient tcp, CancellationToken timeout)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _timeout = timeout;
    }

    /// <summary>Connects and sends the connection preface and an empty SETTINGS frame.</summary>
    public static async Task<RawHttp2Client> ConnectAsync(int port, CancellationToken timeout)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, timeout);
        var client = new RawHttp2Client(tcp, timeout);
        await client._stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), timeout);
        await client.SendFrameAsync(Settings, 0, 0, []);
        return client;
    }

    public async Task SendFrameAsync(byte type, byte flags, uint stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        await _stream.WriteAsync(frame, _timeout);
    }

    /// <summary>Sends one unary gRPC call on <paramref name="stream"/>: the header block given, then the message.</summary>
    public async Task SendUnaryAsync(uint stream, byte[] headerBlock, Google.Protobuf.IMessage message)
    {
        await SendFrameAsync(Headers, EndHeaders, stream, headerBlock);
        var body = Google.Protobuf.MessageExtensions.ToByteArray(message);
        var data = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(1), (uint)body.Length);
        body.CopyTo(data, 5);
        await SendFrameAsync(Data, EndStream, stream, data);
    }

    /// <summary>Reads until <paramref name="stream"/> ends: its gRPC message payloads, or the RST_STREAM error code.</summary>
    public async Task<(List<byte[]> Messages, uint? ResetCode)> ReadStreamAsync(uint stream)
    {
        var messages = new List<byte[]>();
        while (true)
        {
            var (type, flags, id, payload) = await ReadFrameAsync();
            if (type == Settings && (flags & Ack) == 0)
            {
                await SendFrameAsync(Settings, Ack, 0, []);
            }
            else if (type == GoAway)
            {
                throw new InvalidOperationException($"GOAWAY: {Encoding.ASCII.GetString(payload.AsSpan(8))}");
            }
            else if (id == stream && type == RstStream)
            {
                return (messages, BinaryPrimitives.ReadUInt32BigEndian(payload));
            }
            else if (id == stream && type == Data && payload.Length >= 5)
            {
                messages.Add(payload[5..]);
            }
            if (id == stream && (type == Data || type == Headers) && (flags & EndStream) != 0)
            {
                return (messages, null);
            }
        }
    }

    private async Task<(byte Type, byte Flags, uint Stream, byte[] Payload)> ReadFrameAsync()
    {
        var header = new byte[9];
        await _stream.ReadExactlyAsync(header, _timeout);
        var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
        await _stream.ReadExactlyAsync(payload, _timeout);
        return (header[3], header[4], BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7fffffff, payload);
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Writes HPACK representations (RFC 7541 §6), with Huffman-coded strings where asked, as Go's encoder does.</summary>
public sealed class HpackWriter
{
    private readonly List<byte> _bytes = [];

    public HpackWriter Indexed(int index)
    {
        Integer(index, 7, 0x80);
        return this;
    }

    public HpackWriter LiteralIndexed(int nameIndex, string value, bool huffman)
    {
        Integer(nameIndex, 6, 0x40);
        String(value, huffman);
        return this;
    }

    public HpackWriter LiteralNotIndexed(int nameIndex, string value)
    {
        Integer(nameIndex, 4, 0x00);
        String(value, huffman: false);
        return this;
    }

    public HpackWriter LiteralNotIndexed(string name, string value)
    {
        _bytes.Add(0x00);
        String(name, huffman: false);
        String(value, huffman: false);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    public static byte[] HuffmanEncode(string s)
    {
        var output = new List<byte>();
        ulong bits = 0;
        var count = 0;
        foreach (var c in Encoding.Latin1.GetBytes(s))
        {
            var (code, length) = Huffman.CodeOf(c);
            bits = (bits << length) | code;
            count += length;
            while (count >= 8)
            {
                output.Add((byte)(bits >> (count - 8)));
                count -= 8;
            }
        }
        if (count > 0)
        {
            output.Add((byte)((bits << (8 - count)) | ((1u << (8 - count)) - 1)));
        }
        return [.. output];
    }

    private void String(string value, bool huffman)
    {
        var bytes = huffman ? HuffmanEncode(value) : Encoding.Latin1.GetBytes(value);
        Integer(bytes.Length, 7, huffman ? (byte)0x80 : (byte)0x00);
        _bytes.AddRange(bytes);
    }

    private void Integer(int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            _bytes.Add((byte)(flags | value));
            return;
        }
        _bytes.Add((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            _bytes.Add((byte)((value & 0x7f) | 0x80));
            value >>= 7;
        }
        _bytes.Add((byte)value);
    }
}
