using DotNext.Net.Cluster.Consensus.Raft;
using StateStore.Raft.Forwarding;
using StateStore.Raft.StateMachine;

namespace StateStore.Raft;

public sealed partial class ReplicatedKvStore
{
    /// <summary>The term this member was elected in, taken when it became leader; -1 while it does not lead.</summary>
    private long _leaderTerm = -1;

    /// <summary>Cancelled when the leader changes: ends writes forwarded to a leader that is no longer one.</summary>
    private CancellationTokenSource _leaderEpoch = new();

    private CancellationToken LeaderEpoch => Volatile.Read(ref _leaderEpoch).Token;

    /// <summary>
    /// On every leader change (DotNext raises LeaderChanged as the member becomes leader or learns of one): takes
    /// the term of this member's leadership as it begins, and ends the forwards in flight to the previous leader.
    /// </summary>
    internal void ObserveLeader(RaftClusterMember? leader)
    {
        Volatile.Write(ref _leaderTerm, leader is { IsRemote: false } ? _cluster.Term : -1);
        // Not disposed: a proposal may still read the old token; a source without timers holds nothing to free.
        Interlocked.Exchange(ref _leaderEpoch, new CancellationTokenSource()).Cancel();
    }

    /// <summary>
    /// Forwards a command to <paramref name="leader"/>; null when the leader changed before it answered (as etcd
    /// drops a follower's proposals in flight when the leader changes), so the caller does not wait out its
    /// deadline on a leader that is paused or cut off.
    /// </summary>
    private async ValueTask<ForwardReply?> ForwardAsync(RaftClusterMember leader, CancellationToken epoch, byte[] command, CancellationToken deadline)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline, epoch);
        try
        {
            return await _forwarder.ForwardAsync(await ClientUrlOfAsync(leader, linked.Token).ConfigureAwait(false), command, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (epoch.IsCancellationRequested && !deadline.IsCancellationRequested)
        {
            return null;
        }
        catch (DotNext.Net.Cluster.MemberUnavailableException e)
        {
            // Its client URL (Raft metadata, fetched once per leader) could not be read: nothing was sent; again after a beat.
            return ForwardReply.NotLeader($"leader unreachable: {e.Message}");
        }
    }

    /// <summary>
    /// Appends a command as this member's leadership and waits for its commit.
    /// <para>
    /// The entry carries the term this member was elected in, never the current one. DotNext's
    /// <c>ReplicateAsync(payload, context)</c> stamps <c>cluster.Term</c>, which a message from a newer leader raises
    /// while this leadership winds down (tens of milliseconds): an entry of a stale leader stamped with the newer
    /// term passes the newer leader's log-matching check at that index, is committed by its commit index on this
    /// member alone, and this member diverges with a write acknowledged that the cluster never had. Found by the
    /// jepsen-style harness (pause-leader: the paused leader resumes with client writes and the new leader's
    /// heartbeat queued together).
    /// </para>
    /// </summary>
    private async ValueTask<Replication> ReplicateAsLeaderAsync(ReadOnlyMemory<byte> command, Proposal proposal, CancellationToken cancellationToken)
    {
        var term = Volatile.Read(ref _leaderTerm);
        var leadership = _cluster.LeadershipToken;
        if (term < 0 || leadership.IsCancellationRequested || term != _cluster.Term)
        {
            return Replication.NotAppended;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leadership);
        try
        {
            await _cluster.ReplicateAsync(new BinaryLogEntry { Content = command, Term = term, Context = proposal }, linked.Token).ConfigureAwait(false);
            return Replication.Committed;
        }
        catch (NotLeaderException)
        {
            return Replication.Unknown;
        }
        catch (OperationCanceledException) when (leadership.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Replication.Unknown; // the leadership ended, perhaps after the entry was appended
        }
    }

    private enum Replication
    {
        /// <summary>Nothing was appended: this member no longer leads; the write may be sent again.</summary>
        NotAppended,

        /// <summary>Committed by a majority; the state machine applies it (and answers the proposal) on this member.</summary>
        Committed,

        /// <summary>Appended, outcome unknown (leadership lost before the commit): wait for it by request id.</summary>
        Unknown,
    }
}
