using System.Text;
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using StateStore.Raft.Wal;
using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>
/// What DotNext 6.12's <see cref="WriteAheadLog"/> keeps after a crash, established by experiment rather than
/// by reading its source. A crash is simulated the way the power-loss tests do it: the WAL keeps unflushed
/// pages in private memory (<see cref="WriteAheadLog.MemoryManagementStrategy.PrivateMemory"/>), and its
/// folder is copied while it is still open and never disposed — the copy holds what its flushes wrote and
/// nothing else, as a SIGKILL would leave it — then a fresh WAL is opened on the copy. These pin the library's
/// behaviour: if an upgrade changes it, they say so before the power-loss tests do.
/// </summary>
public sealed class WalDurabilityFactsTests : IDisposable
{
    private readonly TempDirectory _dir = new("wal-facts");

    public void Dispose() => _dir.Dispose();

    /// <summary>The control: with private memory, appended entries nobody flushed are not in the files.</summary>
    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task Appended_entries_nobody_flushed_are_lost(int chunkSize)
    {
        await using var wal = Open("live", chunkSize);
        await AppendAsync(wal, 100);

        Assert.Equal(0L, (await ReopenCopyAsync("live", "crashed", chunkSize)).Last);
    }

    /// <summary>
    /// FlushAsync is not bounded by the commit index: with nothing committed, it still writes every appended
    /// entry (100 entries of 1 KB, about 25 pages of 4 KiB or one chunk of 1 MiB), and a reopened log has all of them (uncommitted, so a new
    /// leader decides their fate). The concern that it flushes only through the commit index does not hold for 6.12.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task FlushAsync_writes_every_appended_entry_even_past_the_commit_index(int chunkSize)
    {
        await using var wal = Open("live", chunkSize);
        await AppendAsync(wal, 100);
        await wal.CommitAsync(5);
        await wal.FlushAsync();

        Assert.Equal(100L, (await ReopenCopyAsync("live", "crashed", chunkSize)).Last);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task FlushAsync_with_nothing_committed_writes_every_appended_entry(int chunkSize)
    {
        await using var wal = Open("live", chunkSize);
        await AppendAsync(wal, 100);
        await wal.FlushAsync();

        Assert.Equal(100L, (await ReopenCopyAsync("live", "crashed", chunkSize)).Last);
    }

    /// <summary>
    /// The follower's path, as RaftCluster's AppendEntries handler calls it through the interfaces: append the batch,
    /// then commit up to the leader's commit index. The batch is on disk when that commit returns (DurableWriteAheadLog
    /// flushes after committing, before the handler answers), past the commit index included. The second commit moves
    /// nothing, so DotNext's own flusher is not woken: only our flush writes the second batch.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task A_batch_a_follower_appends_is_on_disk_when_its_commit_returns(int chunkSize)
    {
        await using var wal = new DurableWriteAheadLog(Options("live", chunkSize), new NullStateMachine());
        IAuditTrail<IRaftLogEntry> trail = wal;
        await trail.AppendAsync(new LogEntryProducer<IRaftLogEntry>(Entries(1, 50)), 1, false, default);
        await ((IAuditTrail)trail).CommitAsync(5, default);
        await trail.AppendAsync(new LogEntryProducer<IRaftLogEntry>(Entries(51, 50)), 51, false, default);
        await ((IAuditTrail)trail).CommitAsync(5, default);

        Assert.Equal(100L, (await ReopenCopyAsync("live", "crashed", chunkSize)).Last);
    }

    /// <summary>
    /// Flushes one after another all complete and keep everything. One at a time: DotNext
    /// 6.12's flush completion is an auto-reset event that takes one waiter, and a second concurrent waiter throws
    /// InvalidOperationException on a thread-pool thread, which kills the process (this test, with eight concurrent
    /// callers, crashed the test host once in CI on 2026-11-29). That is why DurableWriteAheadLog flushes only under
    /// the cluster's transition lock.
    /// </summary>
    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task FlushAsync_callers_one_at_a_time_all_complete(int chunkSize)
    {
        await using var wal = Open("live", chunkSize);
        await AppendAsync(wal, 100);
        await wal.CommitAsync(50);
        for (var i = 0; i < 8; i++)
        {
            var flush = wal.FlushAsync();
            Assert.Same(flush, await Task.WhenAny(flush, Task.Delay(TimeSpan.FromSeconds(20))));
            await flush;
        }
        Assert.Equal(100L, (await ReopenCopyAsync("live", "crashed", chunkSize)).Last);
    }

    /// <summary>The page-sized chunks of WALs created before <see cref="WalChunkSize"/>, and the size new WALs get.</summary>
    public static TheoryData<int> ChunkSizes => [WalChunkSize.Legacy, WalChunkSize.Default];

    private WriteAheadLog Open(string name, int chunkSize) => new(Options(name, chunkSize), new NullStateMachine());

    private WriteAheadLog.Options Options(string name, int chunkSize) => new()
    {
        Location = _dir.Sub(name),
        ChunkSize = chunkSize,
        HashAlgorithm = WriteAheadLog.IntegrityHashAlgorithm.XxHash3,
        MemoryManagement = WriteAheadLog.MemoryManagementStrategy.PrivateMemory,
    };

    private static async Task AppendAsync(WriteAheadLog wal, int count)
    {
        foreach (var entry in Entries(1, count))
        {
            await wal.AppendAsync(entry);
        }
    }

    private static List<IRaftLogEntry> Entries(int from, int count, int size = 1000) =>
        [.. Enumerable.Range(from, count).Select(i => (IRaftLogEntry)new BinaryLogEntry { Term = 1, Content = Encoding.UTF8.GetBytes($"entry {i} " + new string('x', size)) })];

    /// <summary>Copies a live WAL's folder (what a SIGKILL leaves with private memory) and opens a WAL on the copy.</summary>
    private async Task<(long Last, long Committed)> ReopenCopyAsync(string live, string copy, int chunkSize)
    {
        Copy(_dir.Sub(live), _dir.Sub(copy));
        await using var reopened = Open(copy, chunkSize);
        return (reopened.LastEntryIndex, reopened.LastCommittedEntryIndex);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to));
        }
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to));
        }
    }
}
