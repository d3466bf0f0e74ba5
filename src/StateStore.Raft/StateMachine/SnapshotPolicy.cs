namespace StateStore.Raft.StateMachine;

/// <summary>
/// When to checkpoint the store as a snapshot, and how long to keep log entries past it before the
/// WAL may drop them (etcd's --snapshot-count and its catch-up entries): a follower only slightly
/// behind then catches up from the log instead of receiving a whole snapshot.
/// </summary>
/// <remarks>
/// The defaults are etcd 3.4's (--snapshot-count 100,000, 5,000 catch-up entries). A snapshot is a full FASTER
/// checkpoint (its 16 MiB hash index included) taken on the apply path, which holds applies for ~0.1-0.2 s on this
/// kind of machine: every 10,000 entries (the earlier default) it cost ~20 % of the followers' CPU and most of the
/// p99 at 256 puts in flight (bench/RESULTS.md, "Snapshot count").
/// </remarks>
public sealed record SnapshotPolicy(long EveryEntries, long RetainedEntries)
{
    public static readonly SnapshotPolicy Default = new(EveryEntries: 100_000, RetainedEntries: 5_000);
}
