using System.Globalization;
using StateStore.Storage.Snapshots;

namespace StateStore.Raft.Wal;

/// <summary>
/// The size of the WAL's data chunks (DotNext's <c>ChunkSize</c>: one file and one memory mapping per chunk).
/// A WAL must be reopened with the size it was created with (entries are addressed by offset / chunk size),
/// so the size is recorded in the WAL folder when the WAL is created.
/// </summary>
/// <remarks>
/// StateStore used page-sized (4 KiB) chunks at first: about a dozen 256-byte puts per file, so under load
/// each member created, mapped, msync'd, unmapped and deleted hundreds of files a second, and a flush of a
/// batch msync'd every file the batch touched. New WALs use <see cref="Default"/>; a WAL from before the
/// recorded size has 4 KiB page files and no record, and keeps 4 KiB. Chunk files are sparse, so the larger
/// size costs no disk space beyond what is written.
/// </remarks>
internal static class WalChunkSize
{
    /// <summary>The chunk size of new WALs: 1 MiB, about 4,000 puts of 256 bytes.</summary>
    public const int Default = 1 << 20;

    /// <summary>What WALs created before the size was recorded use.</summary>
    public const int Legacy = 4096;

    private const string RecordName = "chunk-size";

    /// <summary>The chunk size of the WAL in <paramref name="walDirectory"/>, recording <paramref name="preferred"/> first if the WAL is new.</summary>
    public static int Resolve(string walDirectory, int preferred = Default)
    {
        var record = Path.Combine(walDirectory, RecordName);
        if (File.Exists(record))
        {
            return int.TryParse(File.ReadAllText(record).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var recorded) && recorded > 0
                ? recorded
                : throw new InvalidDataException($"{record} does not hold a chunk size");
        }
        var size = HasPages(walDirectory) ? Legacy : preferred;
        Directory.CreateDirectory(walDirectory);
        // Durable before the WAL writes its first page: a lost record would reopen the pages with the wrong size.
        var temp = record + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(size.ToString(CultureInfo.InvariantCulture)));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, record);
        HardLinks.FsyncDirectory(walDirectory);
        return size;
    }

    private static bool HasPages(string walDirectory)
    {
        var data = Path.Combine(walDirectory, "data");
        return Directory.Exists(data) && Directory.EnumerateFiles(data).Any(f => uint.TryParse(Path.GetFileName(f), NumberStyles.None, CultureInfo.InvariantCulture, out _));
    }
}
