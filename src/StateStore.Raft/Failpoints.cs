namespace StateStore.Raft;

/// <summary>
/// Faults a test can switch on for a server process through the environment variable
/// <c>STATESTORE_FAILPOINTS</c> (comma-separated names, like etcd's gofail). Read once at start;
/// with the variable unset every failpoint is a constant false.
/// </summary>
public static class Failpoints
{
    private static readonly HashSet<string> Enabled = Names("STATESTORE_FAILPOINTS");

    /// <summary>
    /// Bugs injected on purpose, so the jepsen-style harness can show that its checkers catch a server that
    /// really misbehaves: named in <c>STATESTORE_INJECT_BUGS</c>, and honoured only when <c>STATESTORE_FAILPOINTS</c>
    /// also names <c>inject-bugs</c>. Two variables, so that one stray or inherited setting cannot turn a real
    /// server into a broken one; the test harness sets both, and strips both from what it inherits. A member
    /// started with any of them says so in a warning at start (<see cref="Describe"/>).
    /// </summary>
    private static readonly HashSet<string> Bugs = Enabled.Contains("inject-bugs") ? Names("STATESTORE_INJECT_BUGS") : [];

    /// <summary>
    /// Followers answer AppendEntries without fsync'ing first — DotNext's behaviour without
    /// <see cref="Wal.DurableWriteAheadLog"/>. Lets the power-loss test show the bug it guards against.
    /// The injected bug <c>ack-before-durable</c> is the same fault: the leader then counts a majority that is
    /// on disk only on itself and acknowledges, so a power cut that the followers come back from first loses the write.
    /// </summary>
    public static bool SkipFollowerFlush { get; } = Enabled.Contains("skip-follower-flush") || Bugs.Contains("ack-before-durable");

    /// <summary>The WAL's background flush sleeps 20 ms per round: a slow disk, which widens any window between ack and fsync.</summary>
    public static bool SlowWalFlush { get; } = Enabled.Contains("slow-wal-flush");

    /// <summary>
    /// While the member follows, the WAL's background flush sleeps 500 ms per round: slow disks on the followers
    /// only, so that what they have not fsync'd stays off their disks long after the leader's own flush.
    /// </summary>
    public static bool SlowFollowerWalFlush { get; } = Enabled.Contains("slow-follower-wal-flush");

    /// <summary>The WAL keeps unflushed pages in process memory (not a shared mapping), so SIGKILL loses them as power loss would.</summary>
    public static bool PrivateWalMemory { get; } = Enabled.Contains("private-wal-memory");

    /// <summary>
    /// <c>crash-before-apply[=N]</c>: the process dies before it applies its Nth committed command (counting every command
    /// applied since start, the replay of the log's tail included): committed, maybe acknowledged by the leader, not in this store.
    /// </summary>
    public static CrashPoint? CrashBeforeApply { get; } = CrashPoint.Parse(Enabled, "crash-before-apply");

    /// <summary><c>crash-after-apply[=N]</c>: the process dies right after it applied its Nth committed command, before anything else runs.</summary>
    public static CrashPoint? CrashAfterApply { get; } = CrashPoint.Parse(Enabled, "crash-after-apply");

    /// <summary><c>crash-before-wal-append[=N]</c>: a follower dies before appending the Nth batch of entries a leader sent it.</summary>
    public static CrashPoint? CrashBeforeWalAppend { get; } = CrashPoint.Parse(Enabled, "crash-before-wal-append");

    /// <summary>
    /// <c>crash-after-wal-append[=N]</c>: a follower dies after appending (and fsync'ing) the Nth batch a leader sent it,
    /// before it answers: on its disk, and the leader does not know.
    /// </summary>
    public static CrashPoint? CrashAfterWalAppend { get; } = CrashPoint.Parse(Enabled, "crash-after-wal-append");

    /// <summary>
    /// <c>crash-during-snapshot-install[=N]</c>: a member installing a snapshot from its leader dies halfway through
    /// swapping its store folder (the old store moved aside, the new one not yet in place), the crash
    /// <see cref="MemberPaths.RecoverStoreSwap"/> recovers from.
    /// </summary>
    public static CrashPoint? CrashDuringSnapshotInstall { get; } = CrashPoint.Parse(Enabled, "crash-during-snapshot-install");

    /// <summary><c>crash-during-snapshot-send[=N]</c>: a leader streaming a snapshot to a follower dies after sending its Nth chunk.</summary>
    public static CrashPoint? CrashDuringSnapshotSend { get; } = CrashPoint.Parse(Enabled, "crash-during-snapshot-send");

    /// <summary>Injected bug <c>stale-follower-read</c>: a follower answers linearizable reads from its own state, without the read barrier.</summary>
    public static bool StaleFollowerRead { get; } = Bugs.Contains("stale-follower-read");

    /// <summary>
    /// Injected bug <c>drop-watch-event</c>: a watch loses the first event written after it was created (the
    /// event that lands while it goes from replaying history to live delivery, where etcd once had such a bug).
    /// </summary>
    public static bool DropWatchEvent { get; } = Bugs.Contains("drop-watch-event");

    /// <summary>
    /// Injected bug <c>ack-before-commit</c>: the leader answers a put its own client sent it as soon as the entry is in its
    /// own log, before a majority holds it, with revision 0 (it does not know the revision the entry will get). A leader
    /// that loses its majority acknowledges writes that die with it.
    /// </summary>
    public static bool AckBeforeCommit { get; } = Bugs.Contains("ack-before-commit");

    /// <summary>The failpoints and injected bugs in force, for the log at start; null when none.</summary>
    public static string? Describe() =>
        Enabled.Count == 0 ? null
        : $"failpoints {string.Join(",", Enabled)}" + (Bugs.Count == 0 ? "" : $"; INJECTED BUGS {string.Join(",", Bugs)} (this member is broken on purpose)");

    private static HashSet<string> Names(string variable) =>
        [.. (Environment.GetEnvironmentVariable(variable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
