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
/// (shown by <c>PowerLossTests</c>). RaftCluster calls these methods through the interfaces, so re-implementing
/// the interface members puts a flush between append and answer. FlushAsync writes every appended entry, not
/// only those up to the commit index, and a reopened log keeps entries past its commit index
/// (<c>WalDurabilityFactsTests</c> pins both).
/// <para>
/// The handler appends, then commits up to the leader's commit index, then answers; the flush comes after the
/// commit. Entries the leader has committed are applied (and reach this member's watchers) while the new ones
/// are written, as etcd's followers apply while they fsync, and the flush the commit starts (its checkpoint
/// records the new commit index) is the one that makes the new entries durable, where a flush before the commit
/// was followed by a second one. A commit never needs the new entries on this member's disk: they are on a
/// majority already.
/// </para>
/// </remarks>
internal sealed class DurableWriteAheadLog(WriteAheadLog.Options options, IStateMachine stateMachine)
    : WriteAheadLog(options, stateMachine), IAuditTrail<IRaftLogEntry>
{
    // Set by a follower's append, cleared by the commit that follows it in the same AppendEntries handler (both run
    // under the cluster's transition lock).
    private bool _unflushedAppend;

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
        _unflushedAppend |= count > 0;
    }

    ValueTask<long> IAuditTrail.CommitAsync(long endIndex, CancellationToken token) =>
        _unflushedAppend ? CommitThenFlushAsync(endIndex, token) : CommitAsync(endIndex, token);

    private async ValueTask<long> CommitThenFlushAsync(long endIndex, CancellationToken token)
    {
        var committed = await CommitAsync(endIndex, token).ConfigureAwait(false);
        if (!SkipFollowerFlush)
        {
            // Only the AppendEntries handler, holding the transition lock, gets here, so it never waits concurrently
            // with another flush waiter (DotNext's flush event allows one waiter at a time).
            await FlushAsync(token).ConfigureAwait(false);
        }
        _unflushedAppend = false;
        Failpoints.CrashAfterWalAppend?.Hit();
        return committed;
    }
}
