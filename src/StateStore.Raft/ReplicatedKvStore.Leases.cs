using DotNext.Net.Cluster.Consensus.Raft;
using StateStore.Kv;
using StateStore.Raft.Commands;
using StateStore.Storage.Leases;

namespace StateStore.Raft;

/// <summary>
/// Leases as etcd keeps them: grants and revokes are log entries; the clock is the leader's alone. It
/// renews leases on keep-alive, answers their remaining TTL, and proposes a revoke for each lease that
/// runs out. A member that becomes leader starts every lease's full TTL afresh (etcd's Promote), so a
/// leader change never expires a lease early; followers forward renewals and TTL questions to it.
/// </summary>
public sealed partial class ReplicatedKvStore
{
    /// <summary>How often the leader looks for expired leases (etcd: every 500 ms).</summary>
    private static readonly TimeSpan LeaseCheckInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Revokes proposed per check at most (etcd's leaseRevokeRate is 1000/s).</summary>
    private const int RevokesPerCheck = 250;

    private readonly Lessor _lessor = new(TimeProvider.System);
    private readonly Task _leaseExpiry;
    private long _lessorTerm = -1;

    /// <summary>etcd's minimum lease TTL: one and a half election timeouts, in whole seconds rounded up.</summary>
    public long MinLeaseTtl => (long)Math.Ceiling(_cluster.ElectionTimeout.TotalSeconds * 1.5);

    public async ValueTask<KvResult<LeaseGrantResponse>> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Ttl > LeaseLimits.MaxTtl)
        {
            return KvFailure.Of(KvStatus.LeaseTtlTooLarge);
        }
        if (await CheckQuotaAsync(request, cancellationToken).ConfigureAwait(false) is { } full)
        {
            return full;
        }
        var ttl = Math.Max(request.Ttl, MinLeaseTtl);
        while (true)
        {
            // The id is chosen here, before proposing, so every member applies the same grant.
            var id = request.Id != 0 ? request.Id : LeaseLimits.NewId();
            var result = await ProposeAsync<LeaseGrantResponse>(new LeaseGrantRequest { Id = id, Ttl = ttl }, cancellationToken).ConfigureAwait(false);
            if (result.Status != KvStatus.LeaseExists || request.Id != 0)
            {
                return result;
            }
        }
    }

    public ValueTask<KvResult<LeaseRevokeResponse>> LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken = default) =>
        ProposeAsync<LeaseRevokeResponse>(request, cancellationToken);

    public ValueTask<KvResult<LeaseKeepAliveResponse>> LeaseKeepAliveAsync(long id, CancellationToken cancellationToken = default) =>
        OnLeaderAsync(new LeaseKeepAliveQuery(id), () => ValueTask.FromResult(KeepAliveOnLeader(id)), cancellationToken);

    public ValueTask<KvResult<LeaseTimeToLiveResponse>> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken = default) =>
        OnLeaderAsync(request, () => ValueTask.FromResult(TimeToLiveOnLeader(request)), cancellationToken);

    public async ValueTask<KvResult<LeaseLeasesResponse>> LeaseLeasesAsync(CancellationToken cancellationToken = default)
    {
        if (await BarrierAsync(cancellationToken).ConfigureAwait(false) is { } unavailable)
        {
            return unavailable;
        }
        var store = _machine.Store;
        return KvResult<LeaseLeasesResponse>.Ok(new LeaseLeasesResponse(store.Revision, [.. store.Leases.Select(l => l.Id)]));
    }

    /// <summary>
    /// Renews a lease to its full TTL. One that does not exist, or has run out and is being revoked,
    /// answers TTL 0, as etcd does.
    /// </summary>
    private KvResult<LeaseKeepAliveResponse> KeepAliveOnLeader(long id)
    {
        PromoteLessor();
        var store = _machine.Store;
        var (revision, ttl, _) = store.LeaseInfo(id, keys: false);
        if (ttl is not { } granted || _lessor.Remaining(id, granted) == 0)
        {
            return KvResult<LeaseKeepAliveResponse>.Ok(new LeaseKeepAliveResponse(revision, id, 0));
        }
        _lessor.Renew(id, granted);
        return KvResult<LeaseKeepAliveResponse>.Ok(new LeaseKeepAliveResponse(revision, id, granted));
    }

    private KvResult<LeaseTimeToLiveResponse> TimeToLiveOnLeader(LeaseTimeToLiveRequest request)
    {
        PromoteLessor();
        return KvResult<LeaseTimeToLiveResponse>.Ok(_machine.Store.TimeToLive(request, _lessor));
    }

    /// <summary>
    /// On the leader, before the clock is used: in a term this member has not led before, every lease
    /// starts its full TTL afresh (etcd's Promote). A member leads at most once per term, so the term tells.
    /// </summary>
    private void PromoteLessor()
    {
        var term = _cluster.Term;
        if (Interlocked.Exchange(ref _lessorTerm, term) != term)
        {
            _lessor.Reset();
        }
    }

    /// <summary>The leader's lease clock: each tick, revoke the leases that ran out (each revoke is a log entry).</summary>
    private async Task ExpireLeasesAsync()
    {
        using var timer = new PeriodicTimer(LeaseCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false))
            {
                if (!IsReadyLeader)
                {
                    continue;
                }
                PromoteLessor();
                foreach (var id in _lessor.Expired(_machine.Store.Leases, RevokesPerCheck))
                {
                    var revoked = await ProposeAsync<LeaseRevokeResponse>(new LeaseRevokeRequest(id), _lifetime.Token).ConfigureAwait(false);
                    if (revoked.IsOk)
                    {
                        Log.LeaseExpired(_logger, id, revoked.Value.Revision);
                    }
                    else if (revoked.Status != KvStatus.LeaseNotFound)
                    {
                        Log.LeaseRevokeFailed(_logger, id, revoked.Error ?? revoked.Status.ToString());
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
