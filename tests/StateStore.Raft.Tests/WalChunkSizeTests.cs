using System.Text;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using StateStore.Raft.Wal;
using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>A WAL keeps the chunk size it was created with; WALs from before the size was recorded keep 4 KiB.</summary>
public sealed class WalChunkSizeTests : IDisposable
{
    private readonly TempDirectory _dir = new("wal-chunk");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_new_wal_gets_the_default_and_keeps_it()
    {
        var wal = _dir.Sub("new");

        Assert.Equal(WalChunkSize.Default, WalChunkSize.Resolve(wal));
        Assert.Equal(WalChunkSize.Default, WalChunkSize.Resolve(wal, preferred: 8192));
    }

    [Fact]
    public async Task A_wal_written_with_page_sized_chunks_before_the_record_reopens_with_them()
    {
        var location = _dir.Sub("legacy");
        await using (var wal = new WriteAheadLog(Options(location, WalChunkSize.Legacy), new NullStateMachine()))
        {
            for (var i = 0; i < 40; i++)
            {
                await wal.AppendAsync(new BinaryLogEntry { Term = 1, Content = Encoding.UTF8.GetBytes($"entry {i} " + new string('x', 500)) });
            }
            await wal.FlushAsync();
        }

        var size = WalChunkSize.Resolve(location);

        Assert.Equal(WalChunkSize.Legacy, size);
        await using var reopened = new WriteAheadLog(Options(location, size), new NullStateMachine());
        Assert.Equal(40L, reopened.LastEntryIndex);
        Assert.Equal(WalChunkSize.Legacy, WalChunkSize.Resolve(location));
    }

    private static WriteAheadLog.Options Options(string location, int chunkSize) => new()
    {
        Location = location,
        ChunkSize = chunkSize,
        HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.XxHash3,
    };
}
