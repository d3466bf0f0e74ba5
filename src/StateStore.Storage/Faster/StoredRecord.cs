using System.Buffers.Binary;
using StateStore.Kv;

namespace StateStore.Storage.Faster;

/// <summary>
/// One stored version as it lies in FASTER: a put (key, value, create revision, version, lease) or a
/// tombstone (key only). The mod revision is the record's <see cref="RevisionKey.Main"/>.
/// Encoding: flags:1 | create:8 | version:8 | lease:8 | keyLength:4 | key | value, little-endian.
/// </summary>
internal sealed record StoredRecord(byte[] Key, byte[] Value, long CreateRevision, long Version, long Lease, bool IsTombstone)
{
    public const int HeaderSize = 1 + 8 + 8 + 8 + 4;

    private const byte TombstoneFlag = 1;

    public static StoredRecord Tombstone(byte[] key) => new(key, Bytes.Empty, 0, 0, 0, IsTombstone: true);

    public int EncodedLength => HeaderSize + Key.Length + Value.Length;

    public bool Equals(StoredRecord? other) =>
        other is not null
        && CreateRevision == other.CreateRevision
        && Version == other.Version
        && Lease == other.Lease
        && IsTombstone == other.IsTombstone
        && Key.AsSpan().SequenceEqual(other.Key)
        && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => HashCode.Combine(CreateRevision, Version, Key.Length, Value.Length);

    public KeyValue ToKeyValue(long modRevision) => new(Key, Value, CreateRevision, modRevision, Version, Lease);

    /// <summary>The watch event this version is: a put with its key-value, or a delete as etcd sends it (key and revision only).</summary>
    public WatchEvent ToEvent(long modRevision, KeyValue? prevKv) =>
        IsTombstone
            ? new WatchEvent(EventType.Delete, new KeyValue(Key, Bytes.Empty, 0, modRevision, 0, 0), prevKv)
            : new WatchEvent(EventType.Put, ToKeyValue(modRevision), prevKv);

    public void Encode(Span<byte> destination)
    {
        destination[0] = IsTombstone ? TombstoneFlag : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(destination[1..], CreateRevision);
        BinaryPrimitives.WriteInt64LittleEndian(destination[9..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(destination[17..], Lease);
        BinaryPrimitives.WriteInt32LittleEndian(destination[25..], Key.Length);
        Key.CopyTo(destination[HeaderSize..]);
        Value.CopyTo(destination[(HeaderSize + Key.Length)..]);
    }

    public static StoredRecord Decode(ReadOnlySpan<byte> source)
    {
        var header = DecodeHeader(source);
        var value = source[(HeaderSize + header.Key.Length)..];
        return new StoredRecord(header.Key, value.IsEmpty ? Bytes.Empty : value.ToArray(), header.CreateRevision, header.Version, header.Lease, header.IsTombstone);
    }

    /// <summary>Everything but the value (which is not copied).</summary>
    public static StoredRecordHeader DecodeHeader(ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderSize)
        {
            ThrowHelper.Corrupt($"record of {source.Length} bytes is shorter than its header");
        }
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(source[25..]);
        if (keyLength < 0 || HeaderSize + keyLength > source.Length)
        {
            ThrowHelper.Corrupt($"record key length {keyLength} exceeds the record ({source.Length} bytes)");
        }
        return new StoredRecordHeader(
            source.Slice(HeaderSize, keyLength).ToArray(),
            BinaryPrimitives.ReadInt64LittleEndian(source[1..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[9..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[17..]),
            (source[0] & TombstoneFlag) != 0);
    }
}

/// <summary>A <see cref="StoredRecord"/> without its value: what rebuilding the key index needs.</summary>
internal readonly record struct StoredRecordHeader(byte[] Key, long CreateRevision, long Version, long Lease, bool IsTombstone);
