using System.Buffers.Binary;
using System.IO.Hashing;

namespace StateStore.Storage;

/// <summary>
/// What a checkpoint records beside FASTER's data (in its commit cookie): the Raft index and term applied,
/// the revision, the compaction point and the leases (id, granted TTL), with a format tag and a checksum so
/// a damaged or foreign cookie is refused rather than trusted. Format 1 (no leases) is still read.
/// </summary>
internal readonly record struct StorePosition(AppliedPosition Applied, long Revision, long CompactRevision)
{
    private const uint Magic = 0x53534B56; // "SSKV"
    private const int FormatVersion = 2;
    private const int FixedLength = 4 + 4 + 8 + 8 + 8 + 8;
    private const int LeaseLength = 8 + 8;

    /// <summary>The position of an empty store.</summary>
    public static readonly StorePosition Empty = new(default, 1, 0);

    /// <summary>Every lease and the TTL it was granted with, ascending by id.</summary>
    public IReadOnlyList<(long Id, long Ttl)> Leases { get; init; } = [];

    public bool Equals(StorePosition other) =>
        Applied == other.Applied && Revision == other.Revision && CompactRevision == other.CompactRevision && Leases.SequenceEqual(other.Leases);

    public override int GetHashCode() => HashCode.Combine(Applied, Revision, CompactRevision, Leases.Count);

    public byte[] ToCookie()
    {
        var length = FixedLength + 4 + Leases.Count * LeaseLength + 4;
        var cookie = new byte[length];
        BinaryPrimitives.WriteUInt32LittleEndian(cookie, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(cookie.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(8), Applied.Index);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(16), Applied.Term);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(24), Revision);
        BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(32), CompactRevision);
        BinaryPrimitives.WriteInt32LittleEndian(cookie.AsSpan(FixedLength), Leases.Count);
        var at = FixedLength + 4;
        foreach (var (id, ttl) in Leases)
        {
            BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(at), id);
            BinaryPrimitives.WriteInt64LittleEndian(cookie.AsSpan(at + 8), ttl);
            at += LeaseLength;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(cookie.AsSpan(at), Crc32.HashToUInt32(cookie.AsSpan(0, at)));
        return cookie;
    }

    public static StorePosition FromCookie(byte[]? cookie)
    {
        if (cookie is null)
        {
            return Empty;
        }
        if (cookie.Length < FixedLength + 4 || BinaryPrimitives.ReadUInt32LittleEndian(cookie) != Magic)
        {
            return ThrowHelper.Corrupt<StorePosition>("the checkpoint's cookie is not a StateStore position");
        }
        var version = BinaryPrimitives.ReadInt32LittleEndian(cookie.AsSpan(4));
        var leaseCount = version == 2 && cookie.Length >= FixedLength + 8 ? BinaryPrimitives.ReadInt32LittleEndian(cookie.AsSpan(FixedLength)) : 0;
        var expected = version switch
        {
            1 => FixedLength + 4,
            2 when leaseCount >= 0 && leaseCount <= (cookie.Length - FixedLength - 8) / LeaseLength => FixedLength + 4 + leaseCount * LeaseLength + 4,
            _ => -1,
        };
        if (expected != cookie.Length)
        {
            return version is 1 or 2
                ? ThrowHelper.Corrupt<StorePosition>("the checkpoint's cookie is not a StateStore position")
                : ThrowHelper.Corrupt<StorePosition>($"the checkpoint has format {version}; this build reads 1 and {FormatVersion}");
        }
        var checksumAt = cookie.Length - 4;
        if (BinaryPrimitives.ReadUInt32LittleEndian(cookie.AsSpan(checksumAt)) != Crc32.HashToUInt32(cookie.AsSpan(0, checksumAt)))
        {
            return ThrowHelper.Corrupt<StorePosition>("the checkpoint's cookie fails its checksum");
        }
        var leases = new (long, long)[leaseCount];
        for (var i = 0; i < leaseCount; i++)
        {
            var at = FixedLength + 4 + i * LeaseLength;
            leases[i] = (BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(at)), BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(at + 8)));
        }
        var position = new StorePosition(
            new AppliedPosition(BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(8)), BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(16))),
            BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(24)),
            BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(32)))
        { Leases = leases };
        if (position.Revision < 1 || position.CompactRevision < 0 || position.CompactRevision > position.Revision
            || position.Applied.Index < 0 || position.Applied.Term < 0)
        {
            return ThrowHelper.Corrupt<StorePosition>($"the checkpoint's position is impossible: {position}");
        }
        return position;
    }
}
