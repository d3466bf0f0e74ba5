using DotNext.Net.Cluster.Consensus.Raft;
using StateStore.Kv;
using StateStore.Raft.Commands;
using StateStore.Raft.Forwarding;
using StateStore.Storage.Validation;

namespace StateStore.Raft;

public sealed partial class ReplicatedKvStore
{
    private static readonly KvFailure NoLeader = new(KvStatus.Unavailable, "etcdserver: no leader");

    private readonly CoalescedBarrier _readBarrier;

    /// <summary>A follower answers linearizable reads without the read barrier (the injected bug <see cref="Failpoints.StaleFollowerRead"/>).</summary>
    internal bool StaleFollowerRead { get; init; }

    public async ValueTask<KvResult<RangeResponse>> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return invalid;
        }
        if (!request.Serializable && !SkipsBarrier && await BarrierAsync(cancellationToken).ConfigureAwait(false) is { } unavailable)
        {
            return unavailable;
        }
        return OnStore(store => store.Range(request));
    }

    /// <summary>The injected bug stale-follower-read (<see cref="Failpoints.StaleFollowerRead"/>): a follower skips the read barrier.</summary>
    private bool SkipsBarrier => StaleFollowerRead && _cluster.Leader is { IsRemote: true };

    public ValueTask<KvResult<IKvWatch>> WatchAsync(WatchRequest request, CancellationToken cancellationToken = default) =>
        new(ResumableWatch.Start(_machine, request));

    private static readonly byte[] ReadIndexCommand = CommandCodec.Encode(new Command(RequestId.None, new ReadIndexQuery()));

    /// <summary>
    /// A linearizable read waits until this member has applied everything the leader had committed
    /// when the read arrived (<see cref="ReadIndexAsync"/>). Concurrent reads share barrier rounds (<see cref="CoalescedBarrier"/>).
    /// </summary>
    private async ValueTask<KvFailure?> BarrierAsync(CancellationToken cancellationToken)
    {
        if (_cluster.Leader is null && IsRemoved)
        {
            return Removed;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RequestTimeout);
        try
        {
            while (true)
            {
                try
                {
                    await _readBarrier.WaitAsync(deadline.Token).ConfigureAwait(false);
                    return null;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // An election is under way, or the round lost its connection to the leader (DotNext's network
                    // errors): as etcd's ReadIndex, wait for a leader and try again until the deadline.
                    await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token).ConfigureAwait(false);
                    if (await LeaderAsync(deadline.Token).ConfigureAwait(false) is null)
                    {
                        return Removed;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return _cluster.Leader is null ? NoLeader : TimedOut;
        }
    }

    /// <summary>
    /// One round of the read barrier, Raft's ReadIndex (section 6.4 of the Raft thesis): the leader's commit index, given
    /// only once the leader has committed an entry of its own term and confirmed its leadership with a replication
    /// round, then applied here.
    /// <para>
    /// Not DotNext's follower barrier: in 6.12 a follower asks the leader for its commit index and the leader answers at
    /// once, even one elected a moment ago whose commit index still lags what the previous leader committed and
    /// acknowledged. The jepsen-style harness caught a follower's linearizable read missing such a write
    /// (kill-leader, Kubernetes workload: a PUT with resourceVersion answered 404 for a pod re-created just before).
    /// </para>
    /// </summary>
    private async Task ReadIndexAsync(CancellationToken cancellationToken)
    {
        var leader = _cluster.Leader ?? throw new QuorumUnreachableException();
        if (!leader.IsRemote)
        {
            // On the leader DotNext's strong barrier is sound: a replication round, then everything in its log (its
            // term's first entry included) committed and applied.
            await _cluster.ApplyReadBarrierAsync(ReadBarrierType.Strong, cancellationToken).ConfigureAwait(false);
            return;
        }
        var url = await ClientUrlOfAsync(leader, cancellationToken).ConfigureAwait(false);
        var reply = await _forwarder.ForwardAsync(url, ReadIndexCommand, cancellationToken).ConfigureAwait(false);
        var answer = reply.Status == ForwardStatus.Applied ? ResultCodec.Decode<ReadIndexResponse>(new(reply.Result!)) : KvFailure.Of(KvStatus.NotLeader);
        if (!answer.IsOk)
        {
            // BarrierAsync waits for a leader and asks again.
            throw new InvalidOperationException($"no read index from {leader.EndPoint}: {reply.Reason ?? answer.Error}");
        }
        await _cluster.AuditTrail.WaitForApplyAsync(answer.Value.Index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The leader's side of <see cref="ReadIndexAsync"/> (forwarded only to a leader whose term's first entry is
    /// committed): a strong barrier here, then the commit index, at or past every write acknowledged before the ask.
    /// </summary>
    private async ValueTask<KvResult<ReadIndexResponse>> ReadIndexOnLeaderAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _cluster.ApplyReadBarrierAsync(ReadBarrierType.Strong, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NotLeaderException or QuorumUnreachableException)
        {
            return LeaderChanged;
        }
        return KvResult<ReadIndexResponse>.Ok(new ReadIndexResponse(_cluster.AuditTrail.LastCommittedEntryIndex));
    }
}
