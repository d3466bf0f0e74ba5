namespace StateStore.Raft;

/// <summary>
/// Faults a test can switch on for a server process through the environment variable
/// <c>STATESTORE_FAILPOINTS</c> (comma-separated names, like etcd's gofail). Read once at start;
/// with the variable unset every failpoint is a constant false.
/// </summary>
public static class Failpoints
{
    private static readonly HashSet<string> Enabled =
        [.. (Environment.GetEnvironmentVariable("STATESTORE_FAILPOINTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>
    /// Followers answer AppendEntries without fsync'ing first — DotNext's behaviour without
    /// <see cref="Wal.DurableWriteAheadLog"/>. Lets the power-loss test show the bug it guards against.
    /// </summary>
    public static bool SkipFollowerFlush { get; } = Enabled.Contains("skip-follower-flush");

    /// <summary>The WAL's background flush sleeps 20 ms per round: a slow disk, which widens any window between ack and fsync.</summary>
    public static bool SlowWalFlush { get; } = Enabled.Contains("slow-wal-flush");

    /// <summary>The WAL keeps unflushed pages in process memory (not a shared mapping), so SIGKILL loses them as power loss would.</summary>
    public static bool PrivateWalMemory { get; } = Enabled.Contains("private-wal-memory");
}
