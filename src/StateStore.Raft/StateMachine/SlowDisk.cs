using System.Diagnostics;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace StateStore.Raft.StateMachine;

/// <summary>
/// The <see cref="Failpoints.SlowWalFlush"/> fault: DotNext's background flusher reads the snapshot
/// index at the top of every flush round, so sleeping there (and only there) emulates a slow fsync.
/// </summary>
internal static class SlowDisk
{
    /// <summary>The sleep per round of slow-wal-flush.</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>The sleep per round of slow-follower-wal-flush, while the member follows.</summary>
    public static readonly TimeSpan FollowerFlushDelay = TimeSpan.FromMilliseconds(500);

    public static bool CalledFromWalFlusher()
    {
        foreach (var frame in new StackTrace(2, false).GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            if (type is not null && type.Name.Contains("Flush", StringComparison.Ordinal) && type.DeclaringType == typeof(WriteAheadLog))
            {
                return true;
            }
        }
        return false;
    }
}
