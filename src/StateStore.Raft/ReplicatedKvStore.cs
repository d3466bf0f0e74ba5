using DotNext.Net.Cluster.Consensus.Raft;
using Microsoft.Extensions.Logging;
using StateStore.Kv;
using StateStore.Raft.Forwarding;
using StateStore.Raft.StateMachine;

namespace StateStore.Raft;

/// <summary>
/// The <see cref="IKvStore"/> of a Raft member: writes are replicated through the leader (forwarded
/// there when this member follows) and answered after they are committed and applied; linearizable
/// reads pass a read barrier first; serializable reads, watches and hashes are served locally.
/// </summary>
public sealed partial class ReplicatedKvStore : IKvStore
{
    private readonly RaftCluster _cluster;
    private readonly KvStateMachine _machine;
    private readonly IProposalForwarder _forwarder;
    private readonly MemberInfo _member;
    private readonly ILogger _logger;

    private readonly Uri _clientUrl;

    internal ReplicatedKvStore(RaftCluster cluster, KvStateMachine machine, IProposalForwarder forwarder, MemberInfo member, Uri clientUrl, TimeSpan requestTimeout, ILogger logger)
    {
        _clientUrl = clientUrl;
        _cluster = cluster;
        _machine = machine;
        _forwarder = forwarder;
        _member = member;
        RequestTimeout = requestTimeout;
        _logger = logger;
        _readBarrier = new CoalescedBarrier(ReadIndexAsync, requestTimeout);
        _leaseExpiry = Task.Run(ExpireLeasesAsync);
    }

    /// <summary>How long a write may wait for a leader and a commit before it answers "request timed out".</summary>
    public TimeSpan RequestTimeout { get; }

    public MemberIdentity Identity => new(_member.ClusterId, _member.MemberId, _cluster.Term);

    public ValueTask<KvResult<HashKvResponse>> HashKvAsync(long revision, CancellationToken cancellationToken = default) =>
        new(OnStore(store => store.HashKv(revision)));

    public ValueTask<StoreStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var store = _machine.Store;
        var leader = _cluster.Leader;
        return new(new StoreStatus(store.Revision, store.CompactRevision)
        {
            MemberId = _member.MemberId,
            LeaderId = leader is null ? 0 : MemberInfo.IdOf(leader.EndPoint),
            RaftTerm = _cluster.Term,
            RaftIndex = _cluster.AuditTrail.LastEntryIndex,
            // The WAL's applied index also counts no-op and configuration entries the store never sees.
            RaftAppliedIndex = _cluster.AuditTrail is DotNext.Net.Cluster.Consensus.Raft.StateMachine.WriteAheadLog wal ? wal.LastAppliedIndex : _machine.AppliedIndex,
            DbSizeBytes = store.DiskSizeBytes,
            Errors = [.. leader is null ? ["etcdserver: no leader"] : Array.Empty<string>(), .. store.AlarmDescriptions],
        });
    }

    /// <summary>
    /// Runs a local operation on the current store; if a snapshot install swapped the store under it
    /// (the old one answers Unavailable), runs it again on the new one.
    /// </summary>
    private KvResult<T> OnStore<T>(Func<Storage.MvccStore, KvResult<T>> operation)
    {
        while (true)
        {
            var store = _machine.Store;
            var result = operation(store);
            if (result.Status != KvStatus.Unavailable || ReferenceEquals(store, _machine.Store))
            {
                return result;
            }
        }
    }
}
