using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace StateStore.Raft.Tests;

/// <summary>A state machine that applies nothing and has no snapshots: for tests of the WAL alone.</summary>
internal sealed class NullStateMachine : IStateMachine
{
    ISnapshot? ISnapshotManager.Snapshot => null;

    ValueTask ISnapshotManager.ReclaimGarbageAsync(long watermark, CancellationToken token) => ValueTask.CompletedTask;

    ValueTask<long> IStateMachine.ApplyAsync(LogEntry entry, CancellationToken token) => new(entry.Index);
}
