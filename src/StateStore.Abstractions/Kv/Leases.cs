namespace StateStore.Kv;

/// <summary>
/// etcd's LeaseGrantRequest. <see cref="Id"/> 0 lets the store choose one; <see cref="Ttl"/> is in
/// seconds (a replicated store raises it to its minimum, as etcd does).
/// </summary>
public sealed record LeaseGrantRequest
{
    public long Id { get; init; }
    public required long Ttl { get; init; }
}

/// <summary>etcd's LeaseGrantResponse: the lease id and the TTL it was granted with.</summary>
public sealed record LeaseGrantResponse(long Revision, long Id, long Ttl);

/// <summary>etcd's LeaseRevokeRequest: revoking deletes every key attached to the lease, in one revision.</summary>
public sealed record LeaseRevokeRequest(long Id);

/// <summary>etcd's LeaseRevokeResponse.</summary>
public sealed record LeaseRevokeResponse(long Revision);

/// <summary>etcd's LeaseKeepAliveResponse: the renewed TTL, or 0 when the lease does not exist (as etcd answers).</summary>
public sealed record LeaseKeepAliveResponse(long Revision, long Id, long Ttl);

/// <summary>etcd's LeaseTimeToLiveRequest.</summary>
public sealed record LeaseTimeToLiveRequest(long Id, bool Keys = false);

/// <summary>
/// etcd's LeaseTimeToLiveResponse: seconds left (-1 when the lease does not exist, as etcd answers),
/// the TTL granted, and the keys attached when asked for.
/// </summary>
public sealed record LeaseTimeToLiveResponse(long Revision, long Id, long Ttl, long GrantedTtl, IReadOnlyList<byte[]> Keys);

/// <summary>etcd's LeaseLeasesResponse: every live lease id, ascending.</summary>
public sealed record LeaseLeasesResponse(long Revision, IReadOnlyList<long> Ids);

/// <summary>etcd's lease limits.</summary>
public static class LeaseLimits
{
    /// <summary>etcd's MaxLeaseTTL (seconds); a longer grant answers "too large lease TTL".</summary>
    public const long MaxTtl = 9_000_000_000;

    /// <summary>A fresh lease id for a grant that names none (positive, never 0); a clash answers LeaseExists and is drawn again.</summary>
    public static long NewId() => Random.Shared.NextInt64(1, long.MaxValue);
}
