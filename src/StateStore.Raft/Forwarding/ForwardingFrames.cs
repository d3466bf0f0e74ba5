using System.Buffers.Binary;

namespace StateStore.Raft.Forwarding;

/// <summary>
/// The wire of the direct forwarding channel on a member's client port (<see cref="ForwardingChannel"/>,
/// <see cref="TcpProposalForwarder"/>): a preamble both ways, then request frames (length, id, command) and reply
/// frames (length, id, status, result or reason), little-endian, many in flight on one connection.
/// </summary>
internal static class ForwardingFrames
{
    /// <summary>
    /// The first bytes a forwarding client sends, and what the leader answers. No HTTP request or HTTP/2 preface
    /// starts with them, so the client port tells a forwarding connection from an etcd client by them alone. As long
    /// as HTTP/2's preface, so that a member without the channel refuses it at once (GOAWAY) instead of waiting for more.
    /// </summary>
    public static ReadOnlySpan<byte> Preamble => "StateStore-forwarding/1\n"u8;

    public const int PreambleLength = 24;

    /// <summary>Request header: body length (int32), request id (int64).</summary>
    public const int RequestHeaderLength = 12;

    /// <summary>Reply header: body length (int32), request id (int64), <see cref="ForwardStatus"/> (byte).</summary>
    public const int ReplyHeaderLength = 13;

    /// <summary>Commands larger than this are refused (a request of 1.5 MiB plus encoding overhead fits), as over HTTP.</summary>
    public const int MaxCommandBytes = 2 * 1024 * 1024;

    public static byte[] Request(long id, ReadOnlySpan<byte> command)
    {
        var frame = new byte[RequestHeaderLength + command.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, command.Length);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(4), id);
        command.CopyTo(frame.AsSpan(RequestHeaderLength));
        return frame;
    }

    public static void WriteReplyHeader(Span<byte> header, long id, ForwardStatus status, int bodyLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(header, bodyLength);
        BinaryPrimitives.WriteInt64LittleEndian(header[4..], id);
        header[12] = (byte)status;
    }

    /// <summary>The reply's body: the encoded result when applied, else the reason in UTF-8.</summary>
    public static byte[] ReplyBody(ForwardReply reply) => reply.Result ?? System.Text.Encoding.UTF8.GetBytes(reply.Reason ?? "");

    public static ForwardReply Reply(ForwardStatus status, byte[] body) => status switch
    {
        ForwardStatus.Applied => new ForwardReply(ForwardStatus.Applied, body, null),
        ForwardStatus.NotLeader => ForwardReply.NotLeader(System.Text.Encoding.UTF8.GetString(body)),
        ForwardStatus.Ambiguous => ForwardReply.Ambiguous(System.Text.Encoding.UTF8.GetString(body)),
        _ => throw new InvalidDataException($"unknown forwarding status {(byte)status}"),
    };
}
