using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace StateStore.Raft.Wal;

/// <summary>
/// DotNext's <see cref="WriteAheadLog"/> with one fix: entries a follower receives are fsync'd before
/// it answers the leader.
/// </summary>
/// <remarks>
/// In DotNext 6.12 a follower's AppendEntries handler appends entries to memory pages and answers
/// "replicated" for everything it appended; pages reach the disk only when a commit wakes the background
/// flusher. Entries past the leader's commit index are therefore acknowledged before they are on disk, so a
/// power loss on the leader and that follower together can lose a write the leader has already acknowledged
/// (shown by <c>PowerLossTests</c>). RaftCluster calls this method through the interface, so re-implementing
/// the interface member puts a flush between append and answer. FlushAsync writes every appended entry, not
/// only those up to the commit index, and a reopened log keeps entries past its commit index
/// (<c>WalDurabilityFactsTests</c> pins both).
/// </remarks>
internal sealed class DurableWriteAheadLog(WriteAheadLog.Options options, IStateMachine stateMachine)
    : WriteAheadLog(options, stateMachine), IAuditTrail<IRaftLogEntry>
{
    /// <summary>Answer without the flush, as DotNext does (the failpoint skip-follower-flush).</summary>
    public bool SkipFollowerFlush { get; init; }

    async ValueTask IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(ILogEntryProducer<TEntry> entries, long startIndex, bool skipCommitted, CancellationToken token)
    {
        var count = entries.RemainingCount;
        if (count > 0)
        {
            Failpoints.CrashBeforeWalAppend?.Hit();
        }
        await AppendAsync(entries, startIndex, skipCommitted, token).ConfigureAwait(false);
        if (count > 0 && !SkipFollowerFlush)
        {
            // Runs under the cluster's transition lock, so it never waits concurrently with the
            // leader's commit wait (DotNext's flush event allows one waiter at a time).
            await FlushAsync(token).ConfigureAwait(false);
        }
        if (count > 0)
        {
            Failpoints.CrashAfterWalAppend?.Hit();
        }
    }
}
