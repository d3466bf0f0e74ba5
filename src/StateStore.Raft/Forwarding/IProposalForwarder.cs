namespace StateStore.Raft.Forwarding;

/// <summary>What became of a write sent to the leader.</summary>
public enum ForwardStatus
{
    /// <summary>Committed and applied; the reply carries the leader's result.</summary>
    Applied,

    /// <summary>The target is not the leader and did not append the write: safe to send again.</summary>
    NotLeader,

    /// <summary>The write may or may not commit (leadership lost or the connection broke mid-way).</summary>
    Ambiguous,
}

/// <summary>The leader's answer to a forwarded write.</summary>
public readonly record struct ForwardReply(ForwardStatus Status, byte[]? Result, string? Reason)
{
    public static ForwardReply NotLeader(string reason) => new(ForwardStatus.NotLeader, null, reason);

    public static ForwardReply Ambiguous(string reason) => new(ForwardStatus.Ambiguous, null, reason);
}

/// <summary>Carries an encoded write from a follower to the leader's client URL, so callers never handle redirects.</summary>
public interface IProposalForwarder
{
    Task<ForwardReply> ForwardAsync(Uri leaderClientUrl, byte[] command, CancellationToken cancellationToken);
}
