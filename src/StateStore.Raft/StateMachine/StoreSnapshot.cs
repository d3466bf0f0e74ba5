using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using StateStore.Storage.Snapshots;

namespace StateStore.Raft.StateMachine;

/// <summary>
/// A FASTER checkpoint hard-linked into its own folder, offered to the WAL as the Raft snapshot at
/// <see cref="Index"/>. Immutable, so the leader may stream it to several followers at once.
/// </summary>
internal sealed class StoreSnapshot(string directory, long index, long term) : ISnapshot
{
    public string Directory { get; } = directory;

    public long Index { get; } = index;

    public long Term { get; } = term;

    bool IDataTransferObject.IsReusable => true;

    long? IDataTransferObject.Length => null;

    ValueTask IDataTransferObject.WriteToAsync<TWriter>(TWriter writer, CancellationToken token)
    {
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send = (chunk, ct) => writer.WriteAsync(chunk, null, ct);
        if (Failpoints.CrashDuringSnapshotSend is { } crash)
        {
            // Each chunk sent is a hit of crash-during-snapshot-send: the follower has part of the snapshot.
            var plain = send;
            send = async (chunk, ct) =>
            {
                await plain(chunk, ct).ConfigureAwait(false);
                crash.Hit();
            };
        }
        return new(SnapshotArchive.WriteAsync(Directory, send, token));
    }

    public override string ToString() => $"snapshot {Index} (term {Term})";
}
