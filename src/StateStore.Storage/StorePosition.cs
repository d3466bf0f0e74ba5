using System.Buffers.Binary;
using System.IO.Hashing;

namespace StateStore.Storage;

/// <summary>
/// What a checkpoint records beside FASTER's data (in its commit cookie): the Raft index and term applied,
/// the revision and the compaction point, with a format tag and a checksum so a damaged or foreign
/// cookie is refused rather than trusted.
/// </summary>
internal readonly record struct StorePosition(AppliedPosition Applied, long Revision, long CompactRevision)
{
    private const uint Magic = 0x53534B56; // "SSKV"
    private const int FormatVersion = 1;
    private const int Length = 4 + 4 + 8 + 8 + 8 + 8 + 4;
    private const int ChecksumAt = Length - 4;

    /// <summary>The position of an empty store.</summary>
    public static readonly StorePosition Empty = new(default, 1, 0);

    public byte[] ToCookie()
    {
        var cookie = new byte[Length];
        BinaryPrimitives.WriteUInt32LittleEndian(cookie, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(cookie.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(8), Applied.Index);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(16), Applied.Term);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(24), Revision);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(32), CompactRevision);
        BinaryPrimitives.WriteUInt32LittleEndian(cookie.AsSpan(ChecksumAt), Crc32.HashToUInt32(cookie.AsSpan(0, ChecksumAt)));
        return cookie;
    }

    public static StorePosition FromCookie(byte[]? cookie)
    {
        if (cookie is null)
        {
            return Empty;
        }
        if (cookie.Length != Length || BinaryPrimitives.ReadUInt32LittleEndian(cookie) != Magic)
        {
            return ThrowHelper.Corrupt<StorePosition>("the checkpoint's cookie is not a StateStore position");
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(cookie.AsSpan(ChecksumAt)) != Crc32.HashToUInt32(cookie.AsSpan(0, ChecksumAt)))
        {
            return ThrowHelper.Corrupt<StorePosition>("the checkpoint's cookie fails its checksum");
        }
        var version = BinaryPrimitives.ReadInt32LittleEndian(cookie.AsSpan(4));
        if (version != FormatVersion)
        {
            return ThrowHelper.Corrupt<StorePosition>($"the checkpoint has format {version}; this build reads {FormatVersion}");
        }
        var position = new StorePosition(
            new AppliedPosition(BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(8)), BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(16))),
            BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(24)),
            BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(32)));
        if (position.Revision < 1 || position.CompactRevision < 0 || position.CompactRevision > position.Revision
            || position.Applied.Index < 0 || position.Applied.Term < 0)
        {
            return ThrowHelper.Corrupt<StorePosition>($"the checkpoint's position is impossible: {position}");
        }
        return position;
    }
}
