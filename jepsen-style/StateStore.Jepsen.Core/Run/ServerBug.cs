namespace StateStore.Jepsen.Core.Run;

/// <summary>
/// Bugs the real server commits on purpose when started with them (the server's
/// <c>StateStore.Raft.Failpoints</c>): validation of the validators against a server that really misbehaves,
/// unlike the client-side <see cref="Traffic.BrokenStore"/>.
/// </summary>
[Flags]
public enum ServerBug
{
    None = 0,

    /// <summary>stale-follower-read: a follower answers linearizable reads from its own state, without the read barrier.</summary>
    StaleFollowerRead = 1,

    /// <summary>drop-watch-event: each watch loses the first event written after it was created.</summary>
    DropWatchEvent = 2,

    /// <summary>
    /// ack-before-durable: followers answer AppendEntries before their fsync, so the leader acknowledges writes
    /// that are on disk only on itself; a power cut the followers come back from first loses them.
    /// </summary>
    AckBeforeDurable = 4,

    /// <summary>
    /// ack-before-commit: the leader answers a put its own client sent as soon as it hands the entry to Raft, before a
    /// majority holds it (with revision 0); a leader that loses its majority and dies takes those writes with it.
    /// </summary>
    AckBeforeCommit = 8,
}

public static class ServerBugs
{
    private static readonly (ServerBug Bug, string Name)[] Names =
        [(ServerBug.StaleFollowerRead, "stale-follower-read"), (ServerBug.DropWatchEvent, "drop-watch-event"), (ServerBug.AckBeforeDurable, "ack-before-durable"),
         (ServerBug.AckBeforeCommit, "ack-before-commit")];

    /// <summary>The names the server reads from STATESTORE_INJECT_BUGS, or null for none.</summary>
    public static string? ToVariable(ServerBug bugs) =>
        bugs == ServerBug.None ? null : string.Join(",", Names.Where(n => bugs.HasFlag(n.Bug)).Select(n => n.Name));

    /// <summary>
    /// Failpoints that make a bug show sooner: slow disks under the followers (500 ms a flush round) keep the last
    /// acknowledged writes of an ack-before-durable leader off the followers' disks for a while after the ack (a slow
    /// disk, not a bug: the correct server fsyncs before it answers the leader). With 20 ms rounds on every member
    /// the followers' flushes kept pace with the leader's and a power cut lost a write about one time in three.
    /// </summary>
    public static string? Failpoints(ServerBug bugs) => bugs.HasFlag(ServerBug.AckBeforeDurable) ? "slow-follower-wal-flush" : null;

    /// <summary>The bug a name (as on the command line) stands for, or null when it names none.</summary>
    public static ServerBug? Parse(string name) => Names.FirstOrDefault(n => n.Name == name) is { Name: not null } found ? found.Bug : null;

    public static IEnumerable<string> Known => Names.Select(n => n.Name);
}
