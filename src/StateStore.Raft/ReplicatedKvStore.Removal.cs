using StateStore.Kv;

namespace StateStore.Raft;

public sealed partial class ReplicatedKvStore
{
    /// <summary>
    /// What a member taken out by MemberRemove answers while its process still runs: Unavailable, so a client
    /// fails over to another endpoint at once instead of waiting out the request timeout for a leader that
    /// will never come (etcd's removed member stops serving; its words).
    /// </summary>
    private static readonly KvFailure Removed = new(KvStatus.Unavailable, "etcdserver: the member has been permanently removed from the cluster");

    /// <summary>Set once this member has seen itself in the cluster configuration.</summary>
    private volatile bool _listed;

    /// <summary>
    /// True once this member was in the configuration and no longer is. A member that has not joined yet
    /// (started with --initial-cluster-state existing, not yet caught up) is not listed either, but was never
    /// listed, so it waits for its leader as before. Checked only where no leader is known, off the hot path.
    /// </summary>
    private bool IsRemoved => _listed && !ListsSelf();

    /// <summary>Notes that this member is in the configuration; called when a leader is seen.</summary>
    internal void ObserveMembership()
    {
        if (!_listed && ListsSelf())
        {
            _listed = true;
        }
    }

    private bool ListsSelf() => _cluster.Members.Any(m => !m.IsRemote);
}
