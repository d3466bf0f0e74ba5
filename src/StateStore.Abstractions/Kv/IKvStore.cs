namespace StateStore.Kv;

/// <summary>
/// The one contract both front doors use: etcd v3's key-value operations with etcd's semantics.
/// Expected failures are <see cref="KvResult{T}"/> values, never exceptions.
/// </summary>
public interface IKvStore
{
    ValueTask<KvResult<RangeResponse>> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default);

    ValueTask<KvResult<PutResponse>> PutAsync(PutRequest request, CancellationToken cancellationToken = default);

    ValueTask<KvResult<DeleteRangeResponse>> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default);

    ValueTask<KvResult<TxnResponse>> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default);

    ValueTask<KvResult<CompactResponse>> CompactAsync(CompactRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts a watch. A start revision below the compaction point yields a watch that ends Compacted.</summary>
    ValueTask<KvResult<IKvWatch>> WatchAsync(WatchRequest request, CancellationToken cancellationToken = default);

    /// <summary>A hash of all key-value versions at or below <paramref name="revision"/> (≤ 0: current).</summary>
    ValueTask<KvResult<HashKvResponse>> HashKvAsync(long revision, CancellationToken cancellationToken = default);

    /// <summary>Current revision and compaction point, and the member's view of the cluster.</summary>
    ValueTask<StoreStatus> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>The cluster's members (etcd's MemberList).</summary>
    ValueTask<KvResult<MemberListResponse>> MemberListAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a member by its peer URL (etcd's MemberAdd); it joins once it starts with --initial-cluster-state existing.</summary>
    ValueTask<KvResult<MemberAddResponse>> MemberAddAsync(MemberAddRequest request, CancellationToken cancellationToken = default);

    /// <summary>Removes a member (etcd's MemberRemove).</summary>
    ValueTask<KvResult<MemberListResponse>> MemberRemoveAsync(MemberRemoveRequest request, CancellationToken cancellationToken = default);

    /// <summary>Creates a lease (etcd's LeaseGrant); keys put with its id are deleted when it expires or is revoked.</summary>
    ValueTask<KvResult<LeaseGrantResponse>> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken = default);

    /// <summary>Revokes a lease and deletes its keys in one revision (etcd's LeaseRevoke).</summary>
    ValueTask<KvResult<LeaseRevokeResponse>> LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Renews a lease to its full TTL (one message of etcd's LeaseKeepAlive stream).</summary>
    ValueTask<KvResult<LeaseKeepAliveResponse>> LeaseKeepAliveAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>A lease's remaining TTL and, when asked, its keys (etcd's LeaseTimeToLive).</summary>
    ValueTask<KvResult<LeaseTimeToLiveResponse>> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken = default);

    /// <summary>Every live lease (etcd's LeaseLeases).</summary>
    ValueTask<KvResult<LeaseLeasesResponse>> LeaseLeasesAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists, raises or clears alarms (etcd's Alarm); a NOSPACE alarm lets only reads and deletes through.</summary>
    ValueTask<KvResult<AlarmResponse>> AlarmAsync(AlarmRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reclaims the space of compacted and deleted versions on this member (etcd's Defragment).</summary>
    ValueTask<KvResult<DefragmentResponse>> DefragmentAsync(CancellationToken cancellationToken = default);

    /// <summary>Cluster id, member id and current term for response headers; cheap to read on every request.</summary>
    MemberIdentity Identity { get; }
}
