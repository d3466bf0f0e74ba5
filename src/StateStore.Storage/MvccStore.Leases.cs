using StateStore.Kv;
using StateStore.Storage.Index;
using StateStore.Storage.Leases;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    // Only for the store used alone (IKvStore): a replicated store keeps time on its leader instead.
    private readonly Lessor _lessor = new(TimeProvider.System);
    private Timer? _expiry;

    /// <summary>
    /// Applies a grant: the id is chosen by the caller (before proposing, when replicated); a TTL below
    /// one second is raised to one. Changes no revision.
    /// </summary>
    public KvResult<LeaseGrantResponse> LeaseGrant(LeaseGrantRequest request)
    {
        if (request.Id == 0)
        {
            return new KvFailure(KvStatus.InvalidArgument, "etcdserver: a lease id must be chosen before it is applied");
        }
        if (request.Ttl > LeaseLimits.MaxTtl)
        {
            return KvFailure.Of(KvStatus.LeaseTtlTooLarge);
        }
        return Write(_ =>
        {
            if (_noSpace)
            {
                return KvFailure.Of(KvStatus.NoSpace);
            }
            if (_leases.Contains(request.Id))
            {
                return KvFailure.Of(KvStatus.LeaseExists);
            }
            var ttl = Math.Max(1, request.Ttl);
            _leases.Grant(request.Id, ttl);
            return KvResult<LeaseGrantResponse>.Ok(new LeaseGrantResponse(_revision, request.Id, ttl));
        });
    }

    /// <summary>Applies a revoke: the lease goes and its keys are deleted, all in one revision (none when it had no keys).</summary>
    public KvResult<LeaseRevokeResponse> LeaseRevoke(LeaseRevokeRequest request) => Write(batch =>
    {
        if (!_leases.Contains(request.Id))
        {
            return KvFailure.Of(KvStatus.LeaseNotFound);
        }
        foreach (var key in _leases.Revoke(request.Id))
        {
            DeleteInWrite(new DeleteRangeRequest { Key = key }, batch);
        }
        return KvResult<LeaseRevokeResponse>.Ok(new LeaseRevokeResponse(batch.Changed ? batch.Revision : _revision));
    });

    /// <summary>Every lease and its granted TTL, ascending by id.</summary>
    public IReadOnlyList<(long Id, long Ttl)> Leases => UnderReadLock(() => _leases.Snapshot());

    /// <summary>The TTL a lease was granted with, or null when it does not exist.</summary>
    public long? LeaseTtl(long id) => UnderReadLock(() => _leases.TtlOf(id));

    /// <summary>A lease's granted TTL and attached keys, or null when it does not exist; with the current revision.</summary>
    public (long Revision, long? Ttl, byte[][] Keys) LeaseInfo(long id, bool keys) =>
        UnderReadLock(() => (_revision, _leases.TtlOf(id), keys ? _leases.KeysOf(id) : []));

    private T UnderReadLock<T>(Func<T> read)
    {
        _indexLock.EnterReadLock();
        try
        {
            return read();
        }
        finally
        {
            _indexLock.ExitReadLock();
        }
    }

    /// <summary>The lease table of a recovered store: the leases the checkpoint recorded, each with its live keys.</summary>
    private static LeaseTable RestoreLeases(IEnumerable<(long Id, long Ttl)> leases, TreeIndex index)
    {
        var table = LeaseTable.Restore(leases);
        foreach (var key in index.All)
        {
            if (key.IsAlive && key.Lease != 0)
            {
                table.Attach(key.Lease, key.Key);
            }
        }
        return table;
    }

    ValueTask<KvResult<LeaseGrantResponse>> IKvStore.LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken)
    {
        StartExpiry();
        while (true)
        {
            var id = request.Id != 0 ? request.Id : LeaseLimits.NewId();
            var result = LeaseGrant(request with { Id = id });
            if (result.Status != KvStatus.LeaseExists || request.Id != 0)
            {
                if (result.IsOk)
                {
                    _lessor.Renew(id, result.Value.Ttl);
                }
                return new(result);
            }
        }
    }

    ValueTask<KvResult<LeaseRevokeResponse>> IKvStore.LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken) =>
        new(LeaseRevoke(request));

    ValueTask<KvResult<LeaseKeepAliveResponse>> IKvStore.LeaseKeepAliveAsync(long id, CancellationToken cancellationToken)
    {
        var (revision, ttl, _) = LeaseInfo(id, keys: false);
        if (ttl is { } granted)
        {
            _lessor.Renew(id, granted);
        }
        return new(KvResult<LeaseKeepAliveResponse>.Ok(new LeaseKeepAliveResponse(revision, id, ttl ?? 0)));
    }

    ValueTask<KvResult<LeaseTimeToLiveResponse>> IKvStore.LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken) =>
        new(KvResult<LeaseTimeToLiveResponse>.Ok(TimeToLive(request, _lessor)));

    /// <summary>etcd's LeaseTimeToLive answered from this store's leases and <paramref name="lessor"/>'s clock (TTL -1: no such lease).</summary>
    public LeaseTimeToLiveResponse TimeToLive(LeaseTimeToLiveRequest request, Lessor lessor)
    {
        var (revision, ttl, keys) = LeaseInfo(request.Id, request.Keys);
        return ttl is { } granted
            ? new LeaseTimeToLiveResponse(revision, request.Id, lessor.Remaining(request.Id, granted), granted, keys)
            : new LeaseTimeToLiveResponse(revision, request.Id, -1, 0, []);
    }

    ValueTask<KvResult<LeaseLeasesResponse>> IKvStore.LeaseLeasesAsync(CancellationToken cancellationToken) =>
        new(KvResult<LeaseLeasesResponse>.Ok(UnderReadLock(() => new LeaseLeasesResponse(_revision, [.. _leases.Snapshot().Select(l => l.Id)]))));

    /// <summary>Used alone, the store expires its own leases: twice a second it revokes those that ran out.</summary>
    private void StartExpiry()
    {
        if (_expiry is null && Interlocked.CompareExchange(ref _expiry, new Timer(_ => ExpireLeases()), null) is null)
        {
            _expiry.Change(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        }
    }

    private void ExpireLeases()
    {
        if (_disposed)
        {
            return;
        }
        foreach (var id in _lessor.Expired(Leases, limit: 1000))
        {
            LeaseRevoke(new LeaseRevokeRequest(id));
        }
    }
}
