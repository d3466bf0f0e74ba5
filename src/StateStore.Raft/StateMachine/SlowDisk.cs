using System.Diagnostics;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace StateStore.Raft.StateMachine;

/// <summary>
/// The <see cref="Failpoints.SlowWalFlush"/> fault: DotNext's background flusher reads the snapshot
/// index at the top of every flush round, so sleeping there (and only there) emulates a slow fsync.
/// </summary>
internal static class SlowDisk
{
    public static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(20);

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
