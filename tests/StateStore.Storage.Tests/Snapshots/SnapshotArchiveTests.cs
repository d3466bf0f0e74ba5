using StateStore.Kv;
using StateStore.Storage.Snapshots;
using StateStore.Testing;

namespace StateStore.Storage.Tests.Snapshots;

/// <summary>A checkpoint linked as a snapshot, shipped as an archive and opened elsewhere, is the same store.</summary>
public sealed class SnapshotArchiveTests : IDisposable
{
    private readonly TempDirectory _dir = new("snapshot");

    public void Dispose() => _dir.Dispose();

    private MvccStoreOptions Options(string name) => MvccStoreOptions.ForTests(_dir.Sub(name)) with { LogMemorySizeBits = 23, LogPageSizeBits = 21 };

    private static async Task<byte[]> ArchiveAsync(string directory)
    {
        using var buffer = new MemoryStream();
        await SnapshotArchive.WriteAsync(directory, (chunk, ct) => buffer.WriteAsync(chunk, ct), TestTimeout.Token());
        return buffer.ToArray();
    }

    [Fact]
    public async Task A_shipped_snapshot_opens_as_the_same_store_even_after_the_source_moves_on()
    {
        uint hash;
        long revision;
        byte[] archive;
        using (var source = MvccStore.Open(Options("source")))
        {
            for (var i = 0; i < 10_000; i++)
            {
                source.Put(new PutRequest { Key = Bytes.Of($"k{i % 700}"), Value = new byte[i % 900] });
            }
            source.Compact(new CompactRequest { Revision = 5_000 });
            await source.CheckpointAsync(new AppliedPosition(77, 3), _dir.Sub("snap-77"), TestTimeout.Token());
            hash = source.HashKv(0).Value.Hash;
            revision = source.Revision;

            // The source keeps writing and checkpoints again, which deletes its older checkpoint files.
            for (var i = 0; i < 3_000; i++)
            {
                source.Put(new PutRequest { Key = Bytes.Of($"later{i}"), Value = new byte[500] });
            }
            await source.CheckpointAsync(new AppliedPosition(90, 3), _dir.Sub("snap-90"), TestTimeout.Token());
            archive = await ArchiveAsync(_dir.Sub("snap-77"));
        }

        await SnapshotArchive.ExtractAsync(new MemoryStream(archive), _dir.Sub("installed"), TestTimeout.Token());
        using var installed = MvccStore.Open(Options("installed"));
        Assert.Equal(new AppliedPosition(77, 3), installed.Checkpointed);
        Assert.Equal(revision, installed.Revision);
        Assert.Equal(5_000, installed.CompactRevision);
        Assert.Equal(hash, installed.HashKv(0).Value.Hash);
        Assert.Empty(installed.Range(new RangeRequest { Key = Bytes.Of("later"), RangeEnd = Bytes.PrefixEnd(Bytes.Of("later")) }).Value.Kvs);
    }

    [Fact]
    public async Task A_damaged_archive_is_refused()
    {
        using (var source = MvccStore.Open(Options("source")))
        {
            source.Put(new PutRequest { Key = Bytes.Of("a"), Value = Bytes.Of("1") });
            await source.CheckpointAsync(new AppliedPosition(1, 1), _dir.Sub("snap"), TestTimeout.Token());
        }
        var archive = await ArchiveAsync(_dir.Sub("snap"));

        var flipped = (byte[])archive.Clone();
        flipped[archive.Length / 2] ^= 0x40;
        await Assert.ThrowsAnyAsync<InvalidDataException>(() => SnapshotArchive.ExtractAsync(new MemoryStream(flipped), _dir.Sub("x1"), TestTimeout.Token()));
        await Assert.ThrowsAnyAsync<InvalidDataException>(() => SnapshotArchive.ExtractAsync(new MemoryStream(archive[..^10]), _dir.Sub("x2"), TestTimeout.Token()));
    }

    [Fact]
    public async Task An_archive_path_that_leaves_the_folder_is_refused()
    {
        Directory.CreateDirectory(_dir.Sub("evil"));
        await File.WriteAllTextAsync(Path.Combine(_dir.Sub("evil"), "aa"), "x");
        var archive = await ArchiveAsync(_dir.Sub("evil"));
        // Rewrite the two-byte path "aa" as "..", which would climb out of the target folder.
        var at = archive.AsSpan().IndexOf("aa"u8);
        archive[at] = (byte)'.';
        archive[at + 1] = (byte)'.';
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SnapshotArchive.ExtractAsync(new MemoryStream(archive), _dir.Sub("out"), TestTimeout.Token()));
        Assert.Contains("leaves", error.Message);
    }
}
