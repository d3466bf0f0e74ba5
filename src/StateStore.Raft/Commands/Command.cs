using StateStore.Kv;

namespace StateStore.Raft.Commands;

/// <summary>
/// Identifies a proposal so the member that proposed it can pick up the result its own state
/// machine computes when it applies the entry (every member computes the same result). The boot id
/// is random per process start, so replayed entries from an earlier run never match a new waiter.
/// </summary>
internal readonly record struct RequestId(ulong Boot, long Sequence)
{
    public static readonly RequestId None = default;
}

/// <summary>
/// One replicated write: the body is a <see cref="PutRequest"/>, <see cref="DeleteRangeRequest"/>,
/// <see cref="TxnRequest"/> or <see cref="CompactRequest"/>. Time-dependent decisions are made
/// before proposing and travel inside the body; applying a command is deterministic.
/// </summary>
internal sealed record Command(RequestId Id, object Body);

/// <summary>A lease renewal on its way to the leader (etcd's LeaseKeepAlive carries only the id).</summary>
internal sealed record LeaseKeepAliveQuery(long Id);

/// <summary>
/// A follower asking the leader for the member list: only the leader knows the members added but not yet
/// started. Like membership changes it travels in the forwarding envelope, never in the log.
/// </summary>
internal sealed record PendingMembersQuery;

/// <summary>
/// A follower asking the leader for a read index (Raft's ReadIndex): the leader answers with its commit index once its
/// leadership is confirmed; the follower serves a linearizable read once it has applied that far. Never in the log.
/// </summary>
internal sealed record ReadIndexQuery;

/// <summary>The leader's answer to a <see cref="ReadIndexQuery"/>.</summary>
internal sealed record ReadIndexResponse(long Index);
