using System.Diagnostics;
using StateStore.Kv;

namespace StateStore.Testing.Model;

// Leases: a table of id → granted TTL and deadline. Keys belong to a lease through their latest change's
// lease field. Expiry is checked lazily, before each read and lease call: a lease past its deadline is
// revoked then, exactly as an explicit revoke (its live keys deleted in one revision).
public sealed partial class ModelKvStore
{
    private readonly Dictionary<long, (long Ttl, long Deadline)> _leases = [];

    public ValueTask<KvResult<LeaseGrantResponse>> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ExpireLocked();
            if (request.Ttl > LeaseLimits.MaxTtl)
            {
                return new(Fail(KvStatus.LeaseTtlTooLarge));
            }
            if (NoSpaceLocked)
            {
                return new(Fail(KvStatus.NoSpace));
            }
            var id = request.Id;
            while (id == 0 || (request.Id == 0 && _leases.ContainsKey(id)))
            {
                id = Random.Shared.NextInt64(1, long.MaxValue);
            }
            if (_leases.ContainsKey(id))
            {
                return new(Fail(KvStatus.LeaseExists));
            }
            var ttl = Math.Max(1, request.Ttl);
            _leases[id] = (ttl, DeadlineOf(ttl));
            return new(KvResult<LeaseGrantResponse>.Ok(new LeaseGrantResponse(_revision, id, ttl)));
        }
    }

    public ValueTask<KvResult<LeaseRevokeResponse>> LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ExpireLocked();
            if (!_leases.ContainsKey(request.Id))
            {
                return new(Fail(KvStatus.LeaseNotFound));
            }
            RevokeLocked(request.Id);
            return new(KvResult<LeaseRevokeResponse>.Ok(new LeaseRevokeResponse(_revision)));
        }
    }

    public ValueTask<KvResult<LeaseKeepAliveResponse>> LeaseKeepAliveAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ExpireLocked();
            if (!_leases.TryGetValue(id, out var lease))
            {
                return new(KvResult<LeaseKeepAliveResponse>.Ok(new LeaseKeepAliveResponse(_revision, id, 0)));
            }
            _leases[id] = (lease.Ttl, DeadlineOf(lease.Ttl));
            return new(KvResult<LeaseKeepAliveResponse>.Ok(new LeaseKeepAliveResponse(_revision, id, lease.Ttl)));
        }
    }

    public ValueTask<KvResult<LeaseTimeToLiveResponse>> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ExpireLocked();
            if (!_leases.TryGetValue(request.Id, out var lease))
            {
                return new(KvResult<LeaseTimeToLiveResponse>.Ok(new LeaseTimeToLiveResponse(_revision, request.Id, -1, 0, [])));
            }
            var left = (long)Math.Ceiling(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), lease.Deadline).TotalSeconds);
            var keys = request.Keys ? KeysOfLocked(request.Id) : [];
            return new(KvResult<LeaseTimeToLiveResponse>.Ok(new LeaseTimeToLiveResponse(_revision, request.Id, Math.Max(0, left), lease.Ttl, keys)));
        }
    }

    public ValueTask<KvResult<LeaseLeasesResponse>> LeaseLeasesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ExpireLocked();
            return new(KvResult<LeaseLeasesResponse>.Ok(new LeaseLeasesResponse(_revision, [.. _leases.Keys.Order()])));
        }
    }

    /// <summary>Revokes every lease whose deadline has passed.</summary>
    private void ExpireLocked()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (id, _) in _leases.Where(l => l.Value.Deadline <= now).ToList())
        {
            RevokeLocked(id);
        }
    }

    private void RevokeLocked(long id)
    {
        _leases.Remove(id);
        var pending = new List<Change>();
        foreach (var key in KeysOfLocked(id))
        {
            ApplyDelete(new DeleteRangeRequest { Key = key }, pending);
        }
        CommitLocked(pending);
    }

    /// <summary>The live keys whose current version is attached to <paramref name="id"/>, in key order.</summary>
    private List<byte[]> KeysOfLocked(long id) =>
        [.. Alive(_history, KeyRange.From(Bytes.Of("\0"), Bytes.Of("\0")), _revision).Where(kv => kv.Lease == id).Select(kv => kv.Key)];

    private static long DeadlineOf(long ttl) => Stopwatch.GetTimestamp() + ttl * Stopwatch.Frequency;
}
