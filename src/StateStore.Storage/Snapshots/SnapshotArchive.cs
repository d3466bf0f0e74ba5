using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace StateStore.Storage.Snapshots;

/// <summary>
/// A folder of files as one stream, to ship a checkpoint to another member: a header, then for each
/// file its relative path, length and bytes, then an end mark and a CRC-32 of everything before it.
/// Extraction refuses paths that leave the folder and archives that fail the checksum.
/// </summary>
public static class SnapshotArchive
{
    private static readonly byte[] Magic = "SSAR"u8.ToArray();
    private const byte FormatVersion = 1;
    private const int ChunkSize = 64 * 1024;

    /// <summary>Streams every file under <paramref name="directory"/>, passing each chunk to <paramref name="write"/>.</summary>
    public static async Task WriteAsync(string directory, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        async ValueTask Emit(ReadOnlyMemory<byte> bytes)
        {
            crc.Append(bytes.Span);
            await write(bytes, cancellationToken).ConfigureAwait(false);
        }

        await Emit(new byte[] { Magic[0], Magic[1], Magic[2], Magic[3], FormatVersion }).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
                var length = stream.Length; // a log segment may grow meanwhile; the checkpoint lies below this length
                var path = Encoding.UTF8.GetBytes(Path.GetRelativePath(directory, file).Replace('\\', '/'));
                var header = new byte[2 + path.Length + 8];
                BinaryPrimitives.WriteUInt16LittleEndian(header, checked((ushort)path.Length));
                path.CopyTo(header, 2);
                BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(2 + path.Length), length);
                await Emit(header).ConfigureAwait(false);
                for (var left = length; left > 0;)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkSize, left)), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException($"{file} ended before its length {length}");
                    }
                    await Emit(buffer.AsMemory(0, read)).ConfigureAwait(false);
                    left -= read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await Emit(new byte[2]).ConfigureAwait(false);
        var checksum = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, crc.GetCurrentHashAsUInt32());
        await write(checksum, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Unpacks an archive into <paramref name="directory"/> (created; must not exist), with every file fsync'd.</summary>
    public static async Task ExtractAsync(Stream source, string directory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            throw new IOException($"{directory} already exists");
        }
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var crc = new Crc32();
        var header = await ReadExactlyAsync(source, 5, crc, cancellationToken).ConfigureAwait(false);
        if (!header.AsSpan(0, 4).SequenceEqual(Magic) || header[4] != FormatVersion)
        {
            throw new InvalidDataException("not a StateStore snapshot archive (or an unknown version)");
        }
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                var pathLength = BinaryPrimitives.ReadUInt16LittleEndian(await ReadExactlyAsync(source, 2, crc, cancellationToken).ConfigureAwait(false));
                if (pathLength == 0)
                {
                    break;
                }
                var relative = Encoding.UTF8.GetString(await ReadExactlyAsync(source, pathLength, crc, cancellationToken).ConfigureAwait(false));
                var target = Path.GetFullPath(Path.Combine(root, relative));
                if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"archive path {relative} leaves the snapshot folder");
                }
                var length = BinaryPrimitives.ReadInt64LittleEndian(await ReadExactlyAsync(source, 8, crc, cancellationToken).ConfigureAwait(false));
                if (length < 0)
                {
                    throw new InvalidDataException($"archive file {relative} has a negative length");
                }
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                {
                    for (var left = length; left > 0;)
                    {
                        var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkSize, left)), cancellationToken).ConfigureAwait(false);
                        if (read == 0)
                        {
                            throw new InvalidDataException($"archive ended inside {relative}");
                        }
                        crc.Append(buffer.AsSpan(0, read));
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        left -= read;
                    }
                    output.Flush(flushToDisk: true);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var expected = crc.GetCurrentHashAsUInt32();
        var checksum = await ReadExactlyAsync(source, 4, crc: null, cancellationToken).ConfigureAwait(false);
        if (BinaryPrimitives.ReadUInt32LittleEndian(checksum) != expected)
        {
            throw new InvalidDataException("snapshot archive fails its checksum");
        }
        foreach (var folder in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
        {
            HardLinks.FsyncDirectory(folder);
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream source, int count, Crc32? crc, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        try
        {
            await source.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("snapshot archive ended early");
        }
        crc?.Append(bytes);
        return bytes;
    }
}
