namespace StateStore.Raft.StateMachine;

/// <summary>
/// When to checkpoint the store as a snapshot, and how long to keep log entries past it before the
/// WAL may drop them (etcd's --snapshot-count and its catch-up entries): a follower only slightly
/// behind then catches up from the log instead of receiving a whole snapshot.
/// </summary>
public sealed record SnapshotPolicy(long EveryEntries, long RetainedEntries)
{
    public static readonly SnapshotPolicy Default = new(EveryEntries: 10_000, RetainedEntries: 5_000);
}
