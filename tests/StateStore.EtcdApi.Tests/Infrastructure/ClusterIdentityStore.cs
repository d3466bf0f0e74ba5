using StateStore.Kv;

namespace StateStore.EtcdApi.Tests.Infrastructure;

/// <summary>
/// A real store seen as a member of a cluster: MvccStore alone has no cluster identity (all zeros), which
/// would let header tests pass vacuously, so this gives it one, and the Raft fields a member reports. Every
/// operation goes to the real store; <see cref="FailWith"/> makes the next operations fail with a status
/// the single store cannot produce (NoSpace, NotLeader, LeaseNotFound). A store that has an identity
/// (a Raft member) keeps its own.
/// </summary>
public sealed class ClusterIdentityStore(IKvStore inner) : IKvStore
{
    public static readonly MemberIdentity TestIdentity = new(ClusterId: 0x5EED_0000_0000_0001, MemberId: 0xA11CE_0000_0002, RaftTerm: 7);

    private readonly bool _lone = inner.Identity == default;

    public IKvStore Inner { get; } = inner;

    /// <summary>When set, every operation answers this status instead of reaching the store.</summary>
    public KvStatus? FailWith { get; set; }

    public MemberIdentity Identity => _lone ? TestIdentity : Inner.Identity;

    public ValueTask<KvResult<RangeResponse>> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<RangeResponse>.Fail(s)) : Inner.RangeAsync(request, cancellationToken);

    public ValueTask<KvResult<PutResponse>> PutAsync(PutRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<PutResponse>.Fail(s)) : Inner.PutAsync(request, cancellationToken);

    public ValueTask<KvResult<DeleteRangeResponse>> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<DeleteRangeResponse>.Fail(s)) : Inner.DeleteRangeAsync(request, cancellationToken);

    public ValueTask<KvResult<TxnResponse>> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<TxnResponse>.Fail(s)) : Inner.TxnAsync(request, cancellationToken);

    public ValueTask<KvResult<CompactResponse>> CompactAsync(CompactRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<CompactResponse>.Fail(s)) : Inner.CompactAsync(request, cancellationToken);

    public ValueTask<KvResult<IKvWatch>> WatchAsync(WatchRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<IKvWatch>.Fail(s)) : Inner.WatchAsync(request, cancellationToken);

    public ValueTask<KvResult<MemberListResponse>> MemberListAsync(CancellationToken cancellationToken = default) => Inner.MemberListAsync(cancellationToken);

    public ValueTask<KvResult<MemberAddResponse>> MemberAddAsync(MemberAddRequest request, CancellationToken cancellationToken = default) => Inner.MemberAddAsync(request, cancellationToken);

    public ValueTask<KvResult<MemberListResponse>> MemberRemoveAsync(MemberRemoveRequest request, CancellationToken cancellationToken = default) => Inner.MemberRemoveAsync(request, cancellationToken);

    public ValueTask<KvResult<LeaseGrantResponse>> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<LeaseGrantResponse>.Fail(s)) : Inner.LeaseGrantAsync(request, cancellationToken);

    public ValueTask<KvResult<LeaseRevokeResponse>> LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<LeaseRevokeResponse>.Fail(s)) : Inner.LeaseRevokeAsync(request, cancellationToken);

    public ValueTask<KvResult<LeaseKeepAliveResponse>> LeaseKeepAliveAsync(long id, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<LeaseKeepAliveResponse>.Fail(s)) : Inner.LeaseKeepAliveAsync(id, cancellationToken);

    public ValueTask<KvResult<LeaseTimeToLiveResponse>> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<LeaseTimeToLiveResponse>.Fail(s)) : Inner.LeaseTimeToLiveAsync(request, cancellationToken);

    public ValueTask<KvResult<LeaseLeasesResponse>> LeaseLeasesAsync(CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<LeaseLeasesResponse>.Fail(s)) : Inner.LeaseLeasesAsync(cancellationToken);

    public ValueTask<KvResult<AlarmResponse>> AlarmAsync(AlarmRequest request, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<AlarmResponse>.Fail(s)) : Inner.AlarmAsync(request, cancellationToken);

    public ValueTask<KvResult<DefragmentResponse>> DefragmentAsync(CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<DefragmentResponse>.Fail(s)) : Inner.DefragmentAsync(cancellationToken);

    public ValueTask<KvResult<HashKvResponse>> HashKvAsync(long revision, CancellationToken cancellationToken = default) =>
        FailWith is { } s ? new(KvResult<HashKvResponse>.Fail(s)) : Inner.HashKvAsync(revision, cancellationToken);

    public async ValueTask<StoreStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var status = await Inner.StatusAsync(cancellationToken);
        if (!_lone)
        {
            return status;
        }
        return status with
        {
            MemberId = TestIdentity.MemberId,
            LeaderId = TestIdentity.MemberId,
            RaftTerm = TestIdentity.RaftTerm,
            RaftIndex = status.Revision + 10,
            RaftAppliedIndex = status.Revision + 9,
            Errors = ["test: member reports an error"],
        };
    }
}
