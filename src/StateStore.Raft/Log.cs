using Microsoft.Extensions.Logging;

namespace StateStore.Raft;

/// <summary>The Raft layer's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Store restored at applied index {Index}, revision {Revision}; snapshot {Snapshot}")]
    public static partial void Restored(ILogger logger, long index, long revision, long snapshot);

    [LoggerMessage(2, LogLevel.Critical, "Applying entry {Index} failed; the member stops")]
    public static partial void ApplyFailed(ILogger logger, long index, Exception error);

    [LoggerMessage(3, LogLevel.Error, "Entry {Index} is not a command this member can read; skipped (as on every member)")]
    public static partial void UndecodableEntry(ILogger logger, long index, Exception error);

    [LoggerMessage(4, LogLevel.Information, "Snapshot taken at index {Index}, revision {Revision}")]
    public static partial void SnapshotTaken(ILogger logger, long index, long revision);

    [LoggerMessage(5, LogLevel.Information, "Installing snapshot {Index} (term {Term}) from the leader")]
    public static partial void SnapshotInstalling(ILogger logger, long index, long term);

    [LoggerMessage(6, LogLevel.Information, "Installed snapshot {Index}; store at revision {Revision}")]
    public static partial void SnapshotInstalled(ILogger logger, long index, long revision);

    [LoggerMessage(7, LogLevel.Information, "Leader is now {Leader} (term {Term})")]
    public static partial void LeaderChanged(ILogger logger, string leader, long term);

    [LoggerMessage(8, LogLevel.Warning, "Forwarding to the leader at {Leader} failed: {Reason}")]
    public static partial void ForwardFailed(ILogger logger, string leader, string reason);

    [LoggerMessage(9, LogLevel.Information, "Member {Peer} joined the cluster")]
    public static partial void MemberJoined(ILogger logger, string peer);

    [LoggerMessage(10, LogLevel.Warning, "Gave up joining member {Peer}: {Reason}")]
    public static partial void MemberJoinAbandoned(ILogger logger, string peer, string reason);

    [LoggerMessage(11, LogLevel.Information, "Lease {Lease:x16} expired; revoked at revision {Revision}")]
    public static partial void LeaseExpired(ILogger logger, long lease, long revision);

    [LoggerMessage(12, LogLevel.Warning, "Lease {Lease:x16} expired but revoking it failed: {Reason}")]
    public static partial void LeaseRevokeFailed(ILogger logger, long lease, string reason);

    [LoggerMessage(13, LogLevel.Information, "Peer {Peer} left a request unanswered for {Milliseconds} ms while this member {Role}; connection aborted (the peer counts unavailable, so an election or a replication round can end)")]
    public static partial void PeerSilent(ILogger logger, string peer, int milliseconds, string role);

    [LoggerMessage(14, LogLevel.Information, "Published a snapshot at index {Index} for joining member {Peer}")]
    public static partial void SnapshotForNewMember(ILogger logger, long index, string peer);

    [LoggerMessage(15, LogLevel.Warning, "No fresh snapshot for joining member {Peer} (it catches up from the published one and the log): {Reason}")]
    public static partial void SnapshotForNewMemberFailed(ILogger logger, string peer, string reason);
}
