using System.Buffers.Binary;
using System.IO.Hashing;

namespace StateStore.Storage;

/// <summary>
/// What a checkpoint records beside FASTER's data (in its commit cookie): the Raft index and term applied,
/// the revision, the compaction point, the leases (id, granted TTL) and the raised alarms, with a format tag
/// and a checksum so a damaged or foreign cookie is refused rather than trusted. Format 1 (no leases, no
/// alarms) is still read.
/// </summary>
internal readonly record struct StorePosition(AppliedPosition Applied, long Revision, long CompactRevision)
{
    private const uint Magic = 0x53534B56; // "SSKV"
    private const int FormatVersion = 3;
    private const int FixedLength = 4 + 4 + 8 + 8 + 8 + 8;
    private const int LeaseLength = 8 + 8;
    private const int AlarmLength = 8 + 4;

    /// <summary>The position of an empty store.</summary>
    public static readonly StorePosition Empty = new(default, 1, 0);

    /// <summary>Every lease and the TTL it was granted with, ascending by id.</summary>
    public IReadOnlyList<(long Id, long Ttl)> Leases { get; init; } = [];

    /// <summary>The raised alarms: member and alarm type.</summary>
    public IReadOnlyList<(ulong Member, int Alarm)> Alarms { get; init; } = [];

    public bool Equals(StorePosition other) =>
        Applied == other.Applied && Revision == other.Revision && CompactRevision == other.CompactRevision
        && Leases.SequenceEqual(other.Leases) && Alarms.SequenceEqual(other.Alarms);

    public override int GetHashCode() => HashCode.Combine(Applied, Revision, CompactRevision, Leases.Count);

    public byte[] ToCookie()
    {
        var length = FixedLength + 4 + Leases.Count * LeaseLength + 4 + Alarms.Count * AlarmLength + 4;
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
        BinaryPrimitives.WriteInt32LittleEndian(cookie.AsSpan(at), Alarms.Count);
        at += 4;
        foreach (var (member, alarm) in Alarms)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(cookie.AsSpan(at), member);
            BinaryPrimitives.WriteInt32LittleEndian(cookie.AsSpan(at + 8), alarm);
            at += AlarmLength;
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
        if (version != 1 && version != FormatVersion)
        {
            return ThrowHelper.Corrupt<StorePosition>($"the checkpoint has format {version}; this build reads 1 and {FormatVersion}");
        }
        var checksumAt = cookie.Length - 4;
        var at = FixedLength;
        var leases = version == 1 ? [] : ReadList(cookie, ref at, LeaseLength, (span) =>
            (BinaryPrimitives.ReadInt64LittleEndian(span), BinaryPrimitives.ReadInt64LittleEndian(span[8..])));
        var alarms = version == 1 ? [] : ReadList(cookie, ref at, AlarmLength, (span) =>
            (BinaryPrimitives.ReadUInt64LittleEndian(span), BinaryPrimitives.ReadInt32LittleEndian(span[8..])));
        if (at != checksumAt)
        {
            return ThrowHelper.Corrupt<StorePosition>("the checkpoint's cookie is not a StateStore position");
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(cookie.AsSpan(checksumAt)) != Crc32.HashToUInt32(cookie.AsSpan(0, checksumAt)))
        {
            return ThrowHelper.Corrupt<StorePosition>("the checkpoint's cookie fails its checksum");
        }
        var position = new StorePosition(
            new AppliedPosition(BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(8)), BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(16))),
            BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(24)),
            BinaryPrimitives.ReadInt64LittleEndian(cookie.AsSpan(32)))
        { Leases = leases, Alarms = alarms };
        if (position.Revision < 1 || position.CompactRevision < 0 || position.CompactRevision > position.Revision
            || position.Applied.Index < 0 || position.Applied.Term < 0)
        {
            return ThrowHelper.Corrupt<StorePosition>($"the checkpoint's position is impossible: {position}");
        }
        return position;
    }

    private delegate T ItemReader<T>(ReadOnlySpan<byte> item);

    /// <summary>Reads a count and that many fixed-length items at <paramref name="at"/>; a count that overruns the cookie is corruption.</summary>
    private static T[] ReadList<T>(byte[] cookie, ref int at, int itemLength, ItemReader<T> read)
    {
        if (at + 4 > cookie.Length - 4)
        {
            return ThrowHelper.Corrupt<T[]>("the checkpoint's cookie is not a StateStore position");
        }
        var count = BinaryPrimitives.ReadInt32LittleEndian(cookie.AsSpan(at));
        at += 4;
        if (count < 0 || count > (cookie.Length - 4 - at) / itemLength)
        {
            return ThrowHelper.Corrupt<T[]>("the checkpoint's cookie is not a StateStore position");
        }
        var items = new T[count];
        for (var i = 0; i < count; i++, at += itemLength)
        {
            items[i] = read(cookie.AsSpan(at, itemLength));
        }
        return items;
    }
}
