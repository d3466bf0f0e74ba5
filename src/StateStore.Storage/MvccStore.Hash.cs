using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using StateStore.Kv;
using StateStore.Storage.Index;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    /// <summary>
    /// A CRC-32 over every stored version at or below <paramref name="revision"/> (≤ 0: current), in
    /// key then revision order — like etcd's HashKV, for comparing members that share a history.
    /// </summary>
    public KvResult<HashKvResponse> HashKv(long revision)
    {
        if (!TryEnter())
        {
            return KvFailure.Of(KvStatus.Unavailable);
        }
        try
        {
            while (true)
            {
                long at;
                long compactRevision;
                var versions = new List<Revision>();
                _indexLock.EnterReadLock();
                try
                {
                    at = revision <= 0 ? _revision : revision;
                    if (CheckReadable(at) is { } unreadable)
                    {
                        return unreadable;
                    }
                    compactRevision = _compactRevision;
                    foreach (var key in _index.All)
                    {
                        versions.AddRange(key.UpTo(at));
                    }
                }
                finally
                {
                    _indexLock.ExitReadLock();
                }
                if (TryHash(versions, out var hash) && compactRevision == CompactRevision)
                {
                    return KvResult<HashKvResponse>.Ok(new HashKvResponse(at, hash, compactRevision));
                }
                // A compaction ran meanwhile and dropped versions: hash the new state.
            }
        }
        finally
        {
            Exit();
        }
    }

    private bool TryHash(List<Revision> versions, out uint hash)
    {
        var crc = new Crc32();
        Span<byte> position = stackalloc byte[16];
        foreach (var at in versions)
        {
            if (_log.Read(at.StorageKey) is not { } record)
            {
                hash = 0;
                return false;
            }
            BinaryPrimitives.WriteInt64LittleEndian(position, at.Main);
            BinaryPrimitives.WriteInt64LittleEndian(position[8..], at.Sub);
            crc.Append(position);
            var buffer = ArrayPool<byte>.Shared.Rent(record.EncodedLength);
            record.Encode(buffer);
            crc.Append(buffer.AsSpan(0, record.EncodedLength));
            ArrayPool<byte>.Shared.Return(buffer);
        }
        hash = crc.GetCurrentHashAsUInt32();
        return true;
    }
}
