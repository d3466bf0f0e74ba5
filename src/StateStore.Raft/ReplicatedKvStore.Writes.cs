using DotNext.Net.Cluster.Consensus.Raft;
using StateStore.Kv;
using StateStore.Raft.Commands;
using StateStore.Raft.Forwarding;
using StateStore.Raft.StateMachine;
using StateStore.Storage.Validation;

namespace StateStore.Raft;

public sealed partial class ReplicatedKvStore
{
    private static readonly KvFailure TimedOut = new(KvStatus.Unavailable, "etcdserver: request timed out");
    private static readonly KvFailure LeaderChanged = new(KvStatus.NotLeader, "etcdserver: leader changed");

    /// <summary>The leader acknowledges its own clients' puts before they commit (the injected bug <see cref="Failpoints.AckBeforeCommit"/>).</summary>
    internal bool AckBeforeCommit { get; init; }

    public async ValueTask<KvResult<PutResponse>> PutAsync(PutRequest request, CancellationToken cancellationToken = default) =>
        RequestValidator.Validate(request) is { } invalid ? invalid
        : await CheckQuotaAsync(request, cancellationToken).ConfigureAwait(false) is { } full ? full
        : await ProposeAsync<PutResponse>(request, cancellationToken).ConfigureAwait(false);

    public ValueTask<KvResult<DeleteRangeResponse>> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default) =>
        RequestValidator.Validate(request) is { } invalid ? new(invalid) : ProposeAsync<DeleteRangeResponse>(request, cancellationToken);

    public ValueTask<KvResult<CompactResponse>> CompactAsync(CompactRequest request, CancellationToken cancellationToken = default) =>
        ProposeAsync<CompactResponse>(request, cancellationToken);

    public async ValueTask<KvResult<TxnResponse>> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return invalid;
        }
        if (await CheckQuotaAsync(request, cancellationToken).ConfigureAwait(false) is { } full)
        {
            return full;
        }
        if (IsReadOnly(request))
        {
            // Like etcd, a txn that cannot write is a linearizable read, not a log entry.
            return await BarrierAsync(cancellationToken).ConfigureAwait(false) is { } unavailable
                ? unavailable
                : OnStore(store => store.Txn(request));
        }
        return await ProposeAsync<TxnResponse>(request, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsReadOnly(TxnRequest txn) =>
        txn.Success.Concat(txn.Failure).All(op => op.Range is not null || (op.Txn is { } nested && IsReadOnly(nested)));

    /// <summary>
    /// Replicates a write and returns the result the state machine computed for it. On the leader the
    /// proposal rides along as the entry's context; a follower forwards the encoded command and gets
    /// the leader's result back. Only a write the leader never appended is sent again; when the outcome
    /// is ambiguous the proposal waits (by request id) for the entry to show up in this member's log.
    /// </summary>
    private async ValueTask<KvResult<T>> ProposeAsync<T>(object body, CancellationToken cancellationToken)
    {
        var proposal = _machine.Proposals.Register();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RequestTimeout);
        try
        {
            var command = CommandCodec.Encode(new Command(proposal.Id, body));
            while (true)
            {
                var epoch = LeaderEpoch;
                if (await LeaderAsync(deadline.Token).ConfigureAwait(false) is not { } leader)
                {
                    return Removed;
                }
                if (epoch.IsCancellationRequested)
                {
                    continue; // the leader changed while we looked for it: look again
                }
                if (!leader.IsRemote)
                {
                    if (!IsReadyLeader)
                    {
                        // Elected, but its first entry is not committed yet: it cannot replicate.
                        await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token).ConfigureAwait(false);
                        continue;
                    }
                    if (AckBeforeCommit && body is PutRequest)
                    {
                        return Unbox<T>(AcknowledgeBeforeCommit(command, proposal));
                    }
                    switch (await ReplicateAsLeaderAsync(command, proposal, deadline.Token).ConfigureAwait(false))
                    {
                        case Replication.NotAppended:
                            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token).ConfigureAwait(false);
                            continue;
                        case Replication.Unknown:
                            return await AwaitAmbiguousAsync<T>(proposal, deadline.Token).ConfigureAwait(false);
                    }
                    return Unbox<T>(await proposal.Result.WaitAsync(deadline.Token).ConfigureAwait(false));
                }
                if (await ForwardAsync(leader, epoch, command, deadline.Token).ConfigureAwait(false) is not { } reply)
                {
                    // The leader changed under the forwarded write (the old one paused, cut off or killed).
                    return await AwaitAmbiguousAsync<T>(proposal, deadline.Token).ConfigureAwait(false);
                }
                switch (reply.Status)
                {
                    case ForwardStatus.Applied:
                        // As etcd: answer once this member has applied the write too, so what its
                        // client wrote here is visible here (serializable reads, watches, status).
                        await WaitForLocalApplyAsync(proposal, deadline.Token).ConfigureAwait(false);
                        return ResultCodec.Decode<T>(new(reply.Result!));
                    case ForwardStatus.Ambiguous:
                        Log.ForwardFailed(_logger, leader.EndPoint.ToString() ?? "", reply.Reason ?? "");
                        return await AwaitAmbiguousAsync<T>(proposal, deadline.Token).ConfigureAwait(false);
                    default:
                        // Not appended anywhere: wait a beat for the leadership to settle and send it again.
                        await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut;
        }
        finally
        {
            _machine.Proposals.Forget(proposal);
        }
    }

    /// <summary>
    /// The injected bug ack-before-commit: hand the entry to Raft (which appends it to the leader's log and replicates
    /// it) without waiting for the commit, and answer the put as done, with revision 0.
    /// </summary>
    private KvResult<PutResponse> AcknowledgeBeforeCommit(byte[] command, Proposal proposal)
    {
        RunUnawaited(ReplicateAsLeaderAsync(command, proposal, CancellationToken.None).AsTask());
        return KvResult<PutResponse>.Ok(new PutResponse(0, null));
    }

    /// <summary>
    /// Waits until this member applies a write the leader has committed (the leader pushed the commit
    /// index before replying, so this is short). Should this member lag, the committed answer stands.
    /// </summary>
    private async ValueTask WaitForLocalApplyAsync(Proposal proposal, CancellationToken cancellationToken)
    {
        try
        {
            await proposal.Result.WaitAsync(_cluster.ElectionTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>
    /// Leadership moved while the write was in flight: it commits if the new leader kept the entry.
    /// Wait up to two election timeouts for it to be applied here; otherwise answer "leader changed".
    /// </summary>
    private async ValueTask<KvResult<T>> AwaitAmbiguousAsync<T>(Proposal proposal, CancellationToken cancellationToken)
    {
        try
        {
            var result = await proposal.Result.WaitAsync(_cluster.ElectionTimeout * 2, cancellationToken).ConfigureAwait(false);
            return Unbox<T>(result);
        }
        catch (TimeoutException)
        {
            return LeaderChanged;
        }
    }

    /// <summary>
    /// The current leader, waiting through elections (and a joining member's standby) until the deadline
    /// cancels; null at once when MemberRemove has taken this member out of the cluster.
    /// </summary>
    private async ValueTask<RaftClusterMember?> LeaderAsync(CancellationToken deadline)
    {
        while (true)
        {
            if (_cluster.Leader is { } leader)
            {
                ObserveMembership();
                return leader;
            }
            if (IsRemoved)
            {
                return null;
            }
            try
            {
                if (await _cluster.WaitForLeaderAsync(_cluster.ElectionTimeout, deadline).ConfigureAwait(false) is { } elected)
                {
                    return elected;
                }
            }
            catch (Exception e) when (e is QuorumUnreachableException or TimeoutException)
            {
                // No leader yet (or not a member yet), or an election longer than one election timeout
                // (DotNext throws TimeoutException then): look again after a beat, until the deadline.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline).ConfigureAwait(false);
        }
    }

    /// <summary>True when this member leads and its term's first entry is committed (DotNext's leadership token).</summary>
    private bool IsReadyLeader => _cluster.Leader is { IsRemote: false } && !_cluster.LeadershipToken.IsCancellationRequested;

    /// <summary>Lets a task go on unawaited, its failure observed rather than raised on the finalizer thread.</summary>
    private static void RunUnawaited(Task task) =>
        _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static KvResult<T> Unbox<T>(object? result) =>
        result is KvResult<T> typed ? typed : KvFailure.Of(KvStatus.Unavailable);

    /// <summary>The leader's side of forwarding: replicate a follower's command and answer with its result.</summary>
    public async Task<ForwardReply> AcceptForwardedAsync(byte[] command, CancellationToken cancellationToken)
    {
        if (!IsReadyLeader)
        {
            return ForwardReply.NotLeader("not leader (or not yet ready to replicate)");
        }
        Command decoded;
        try
        {
            decoded = CommandCodec.Decode(new(command));
        }
        catch (InvalidDataException e)
        {
            return ForwardReply.NotLeader($"undecodable command: {e.Message}");
        }
        if (await AcceptOnLeaderAsync(decoded.Body, cancellationToken).ConfigureAwait(false) is { } answer)
        {
            return new ForwardReply(ForwardStatus.Applied, ResultCodec.Encode(answer), null);
        }
        var proposal = new Proposal(decoded.Id);
        switch (await ReplicateAsLeaderAsync(command, proposal, cancellationToken).ConfigureAwait(false))
        {
            case Replication.NotAppended:
                return ForwardReply.NotLeader("leadership ended before the command was appended");
            case Replication.Unknown:
                return ForwardReply.Ambiguous("leadership lost while replicating");
        }
        // Push the new commit index to the followers now rather than at the next heartbeat: the forwarding member
        // answers its client once it has applied the write, and this round reaches it about when this answer does
        // (waiting for the round before answering cost the forwarded write a round trip more than etcd's).
        // (A NotLeaderException: committed already; the followers learn the commit index from the next leader.)
        RunUnawaited(_cluster.ForceReplicationAsync(CancellationToken.None).AsTask());
        return await proposal.Result.ConfigureAwait(false) is { } result
            ? new ForwardReply(ForwardStatus.Applied, ResultCodec.Encode(result), null)
            : ForwardReply.Ambiguous("member stopping");
    }

    private async ValueTask<Uri> ClientUrlOfAsync(RaftClusterMember leader, CancellationToken cancellationToken)
    {
        var metadata = await leader.GetMetadataAsync(false, cancellationToken).ConfigureAwait(false);
        return metadata.TryGetValue(MemberMetadata.ClientUrl, out var url) ? new Uri(url) : throw new InvalidOperationException($"leader {leader.EndPoint} advertises no client URL");
    }
}
