using DotNext.Net.Cluster.Consensus.Raft;
using StateStore.Kv;
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

    /// <summary>
    /// A linearizable read waits until this member has applied everything the leader had committed
    /// when the read arrived (DotNext's strong read barrier: ReadIndex, confirmed by a heartbeat round).
    /// Concurrent reads share barrier rounds (<see cref="CoalescedBarrier"/>).
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
}
