using System.Buffers;
using System.Buffers.Binary;

namespace StateStore.EtcdApi.Http2;

/// <summary>
/// The client → server byte stream of one HTTP/2 connection, frame by frame: header blocks (HEADERS plus
/// CONTINUATION) go through <see cref="HpackAuthorityRewriter"/>; a block it changed is sent as a fresh
/// HEADERS frame (padding dropped, priority kept) split into CONTINUATIONs of at most 16 KiB; every other
/// byte passes unchanged. On anything it cannot parse it stops filtering and passes the rest through, so
/// Kestrel sees — and answers — the connection as it is.
/// </summary>
internal sealed class Http2AuthorityFilter(Action<string, string> rewrote)
{
    private const int PrefaceLength = 24;
    private const int FrameHeaderLength = 9;
    private const int MinMaxFrameSize = 16 * 1024;
    private const int MaxBlockBytes = 1024 * 1024;
    private const byte Headers = 0x1;
    private const byte Continuation = 0x9;
    private const byte EndHeaders = 0x4;
    private const byte Padded = 0x8;
    private const byte Priority = 0x20;

    private readonly HpackAuthorityRewriter _hpack = new();
    private readonly ArrayBufferWriter<byte> _rawBlock = new();
    private readonly List<byte> _fragment = [];
    private bool _prefaceSeen;
    private bool _inBlock;
    private uint _blockStream;
    private byte _blockFlags;
    private byte[] _priority = [];

    /// <summary>True once the filter gave up and passes everything through.</summary>
    public bool PassingThrough { get; private set; }

    /// <summary>Filters what whole frames <paramref name="input"/> holds into <paramref name="output"/>; returns how far it read.</summary>
    public SequencePosition Process(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        if (PassingThrough)
        {
            Copy(input, output);
            return input.End;
        }
        var reader = new SequenceReader<byte>(input);
        if (!_prefaceSeen)
        {
            if (reader.Remaining < PrefaceLength)
            {
                return reader.Position;
            }
            Copy(input.Slice(reader.Position, PrefaceLength), output);
            reader.Advance(PrefaceLength);
            _prefaceSeen = true;
        }
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        while (reader.TryCopyTo(header))
        {
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            if (reader.Remaining < FrameHeaderLength + length)
            {
                break;
            }
            var frame = input.Slice(reader.Position, FrameHeaderLength + length);
            reader.Advance(frame.Length);
            try
            {
                OnFrame(header[3], header[4], BinaryPrimitives.ReadUInt32BigEndian(header[5..]) & 0x7fffffff, frame, output);
            }
            catch (InvalidDataException)
            {
                // Everything read so far goes on unchanged, the failing frame included, exactly once.
                var buffered = _rawBlock.WrittenCount > 0 && _inBlock;
                GiveUp(output);
                if (!buffered || (header[3] != Headers && header[3] != Continuation))
                {
                    Copy(frame, output);
                }
                Copy(input.Slice(reader.Position), output);
                throw;
            }
        }
        return reader.Position;
    }

    private void OnFrame(byte type, byte flags, uint stream, ReadOnlySequence<byte> frame, IBufferWriter<byte> output)
    {
        if (type != Headers && type != Continuation)
        {
            if (_inBlock)
            {
                throw new InvalidDataException("a frame interrupted a header block");
            }
            Copy(frame, output);
            return;
        }
        if (type == Headers && _inBlock)
        {
            throw new InvalidDataException("HEADERS inside a header block");
        }
        if (type == Continuation && (!_inBlock || stream != _blockStream))
        {
            throw new InvalidDataException("CONTINUATION outside its header block");
        }
        _inBlock = true;
        Copy(frame, _rawBlock);
        var payload = frame.Slice(FrameHeaderLength).ToArray();
        if (type == Headers)
        {
            _blockStream = stream;
            _blockFlags = flags;
            var start = (flags & Padded) != 0 ? 1 : 0;
            var padding = start == 1 ? payload[0] : 0;
            _priority = (flags & Priority) != 0 ? payload[start..(start + 5)] : [];
            start += _priority.Length;
            if (start + padding > payload.Length)
            {
                throw new InvalidDataException("HEADERS padding past the frame");
            }
            _fragment.AddRange(payload[start..(payload.Length - padding)]);
        }
        else
        {
            _fragment.AddRange(payload);
        }
        if (_fragment.Count > MaxBlockBytes)
        {
            throw new InvalidDataException("header block too large to filter");
        }
        if ((flags & EndHeaders) != 0)
        {
            EndBlock(output);
        }
    }

    private void EndBlock(IBufferWriter<byte> output)
    {
        var rewritten = _hpack.Rewrite(_fragment.ToArray(), out var original, out var repaired);
        if (rewritten is null)
        {
            output.Write(_rawBlock.WrittenSpan);
        }
        else
        {
            WriteBlock(rewritten, output);
            rewrote(original!, repaired!);
        }
        _rawBlock.ResetWrittenCount();
        _fragment.Clear();
        _inBlock = false;
    }

    private void WriteBlock(byte[] block, IBufferWriter<byte> output)
    {
        var first = Math.Min(block.Length, MinMaxFrameSize - _priority.Length);
        var headersFlags = (byte)(_blockFlags & ~(Padded | EndHeaders) | (first == block.Length ? EndHeaders : 0));
        WriteFrameHeader(output, _priority.Length + first, Headers, headersFlags, _blockStream);
        output.Write(_priority);
        output.Write(block.AsSpan(0, first));
        for (var offset = first; offset < block.Length; offset += MinMaxFrameSize)
        {
            var length = Math.Min(MinMaxFrameSize, block.Length - offset);
            WriteFrameHeader(output, length, Continuation, offset + length == block.Length ? EndHeaders : (byte)0, _blockStream);
            output.Write(block.AsSpan(offset, length));
        }
    }

    private static void WriteFrameHeader(IBufferWriter<byte> output, int length, byte type, byte flags, uint stream)
    {
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        header[0] = (byte)(length >> 16);
        header[1] = (byte)(length >> 8);
        header[2] = (byte)length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(header[5..], stream);
        output.Write(header);
    }

    private void GiveUp(IBufferWriter<byte> output)
    {
        PassingThrough = true;
        _inBlock = false;
        output.Write(_rawBlock.WrittenSpan);
        _rawBlock.ResetWrittenCount();
        _fragment.Clear();
    }

    private static void Copy(ReadOnlySequence<byte> bytes, IBufferWriter<byte> output)
    {
        foreach (var segment in bytes)
        {
            output.Write(segment.Span);
        }
    }
}
