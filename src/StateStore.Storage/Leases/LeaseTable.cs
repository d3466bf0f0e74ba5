using StateStore.Kv;

namespace StateStore.Storage.Leases;

/// <summary>
/// The replicated part of leases (etcd's lessor minus its clock): each lease's granted TTL and the live
/// keys attached to it. Deterministic: expiry is decided outside, by whoever keeps time
/// (<see cref="Lessor"/>), and arrives here as a revoke. Guarded by the store's write gate.
/// </summary>
internal sealed class LeaseTable
{
    private readonly SortedDictionary<long, Entry> _leases = [];

    private sealed class Entry(long ttl)
    {
        public long Ttl { get; } = ttl;

        public HashSet<byte[]> Keys { get; } = new(ByteArrayComparer.Instance);
    }

    public int Count => _leases.Count;

    public bool Contains(long id) => _leases.ContainsKey(id);

    /// <summary>The TTL <paramref name="id"/> was granted with, or null when it does not exist.</summary>
    public long? TtlOf(long id) => _leases.TryGetValue(id, out var entry) ? entry.Ttl : null;

    public void Grant(long id, long ttl) => _leases.Add(id, new Entry(ttl));

    /// <summary>Removes a lease and answers the keys that were attached to it (in key order).</summary>
    public byte[][] Revoke(long id)
    {
        var keys = KeysOf(id);
        _leases.Remove(id);
        return keys;
    }

    public void Attach(long id, byte[] key)
    {
        if (id != 0 && _leases.TryGetValue(id, out var entry))
        {
            entry.Keys.Add(key);
        }
    }

    public void Detach(long id, byte[] key)
    {
        if (id != 0 && _leases.TryGetValue(id, out var entry))
        {
            entry.Keys.Remove(key);
        }
    }

    /// <summary>The keys attached to <paramref name="id"/>, in key order.</summary>
    public byte[][] KeysOf(long id)
    {
        var keys = _leases.TryGetValue(id, out var entry) ? entry.Keys.ToArray() : [];
        Array.Sort(keys, ByteArrayComparer.Instance);
        return keys;
    }

    /// <summary>Every lease with its granted TTL, ascending by id (what a checkpoint records).</summary>
    public List<(long Id, long Ttl)> Snapshot() => [.. _leases.Select(l => (l.Key, l.Value.Ttl))];

    public static LeaseTable Restore(IEnumerable<(long Id, long Ttl)> leases)
    {
        var table = new LeaseTable();
        foreach (var (id, ttl) in leases)
        {
            table.Grant(id, ttl);
        }
        return table;
    }
}
