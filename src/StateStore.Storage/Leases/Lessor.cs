namespace StateStore.Storage.Leases;

/// <summary>
/// The clock half of leases (etcd's lessor on the leader): when each lease expires. It is never
/// replicated: the member that keeps time (the leader) proposes a revoke for each lease that runs out.
/// A lease it has not seen yet gets its full TTL from the moment it is first seen, so a new leader
/// (which starts from <see cref="Reset"/>) renews every lease, as etcd's Promote does; no lease expires
/// early because leadership moved.
/// </summary>
public sealed class Lessor(TimeProvider time)
{
    private readonly Dictionary<long, long> _deadlines = [];
    private readonly Lock _gate = new();

    /// <summary>Forgets every deadline: on losing or gaining leadership.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _deadlines.Clear();
        }
    }

    /// <summary>Restarts <paramref name="id"/>'s full <paramref name="ttl"/> now (a keep-alive).</summary>
    public void Renew(long id, long ttl)
    {
        lock (_gate)
        {
            _deadlines[id] = Deadline(ttl);
        }
    }

    /// <summary>Whole seconds left on <paramref name="id"/> (rounded up, as etcd reports them).</summary>
    public long Remaining(long id, long ttl)
    {
        lock (_gate)
        {
            var deadline = DeadlineOf(id, ttl);
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            return left <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(left.TotalSeconds);
        }
    }

    /// <summary>
    /// Brings the deadlines in line with the leases that exist (<paramref name="leases"/>: id and TTL)
    /// and answers those that have run out, oldest deadline first, at most <paramref name="limit"/>.
    /// </summary>
    public List<long> Expired(IReadOnlyList<(long Id, long Ttl)> leases, int limit)
    {
        lock (_gate)
        {
            var live = new HashSet<long>();
            foreach (var (id, ttl) in leases)
            {
                live.Add(id);
                DeadlineOf(id, ttl);
            }
            foreach (var gone in _deadlines.Keys.Where(id => !live.Contains(id)).ToList())
            {
                _deadlines.Remove(gone);
            }
            var now = time.GetTimestamp();
            return [.. _deadlines.Where(d => d.Value <= now).OrderBy(d => d.Value).Take(limit).Select(d => d.Key)];
        }
    }

    private long DeadlineOf(long id, long ttl)
    {
        if (!_deadlines.TryGetValue(id, out var deadline))
        {
            _deadlines[id] = deadline = Deadline(ttl);
        }
        return deadline;
    }

    private long Deadline(long ttl) => time.GetTimestamp() + (long)(ttl * (double)time.TimestampFrequency);
}
