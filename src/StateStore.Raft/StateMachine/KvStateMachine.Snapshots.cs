using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using StateStore.Storage;
using StateStore.Storage.Snapshots;

namespace StateStore.Raft.StateMachine;

internal sealed partial class KvStateMachine
{
    /// <summary>Checkpoints every <see cref="SnapshotPolicy.EveryEntries"/> and publishes a checkpoint once it is far enough behind.</summary>
    private async ValueTask MaybeSnapshotAsync(CancellationToken token)
    {
        if (_pending is null && _appliedIndex - _checkpointIndex >= _policy.EveryEntries)
        {
            await CheckpointAsync(token).ConfigureAwait(false);
        }
        if (_pending is { } pending && _appliedIndex >= pending.Index + _policy.RetainedEntries)
        {
            // From here the WAL may drop entries up to the snapshot and send it to lagging followers.
            _published = pending;
            _pending = null;
        }
    }

    /// <summary>Checkpoints the store at the applied index as the pending snapshot. Inside an apply, or holding the apply gate.</summary>
    private async ValueTask CheckpointAsync(CancellationToken token)
    {
        var directory = _paths.Snapshot(_appliedIndex, _appliedTerm);
        await _store.CheckpointAsync(new AppliedPosition(_appliedIndex, _appliedTerm), directory, token).ConfigureAwait(false);
        _checkpointIndex = _appliedIndex;
        _pending = new StoreSnapshot(directory, _appliedIndex, _appliedTerm);
        Log.SnapshotTaken(_logger, _appliedIndex, _store.Revision);
    }

    /// <summary>
    /// For a member about to join: checkpoints the store now, between two applies, unless the published snapshot is
    /// less than <paramref name="minLag"/> entries behind. Returns the new pending snapshot's index, or null.
    /// </summary>
    public async Task<long?> CheckpointForCatchUpAsync(long minLag, CancellationToken token)
    {
        await _applyGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_appliedIndex - (_published?.Index ?? 0) < minLag)
            {
                return null;
            }
            if (_pending?.Index != _appliedIndex)
            {
                await CheckpointAsync(token).ConfigureAwait(false);
            }
            return _appliedIndex;
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>Publishes the pending snapshot at <paramref name="index"/> at once (see <see cref="CheckpointForCatchUpAsync"/>); false if it is gone.</summary>
    public async Task<bool> PublishAsync(long index, CancellationToken token)
    {
        await _applyGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (_pending is not { } pending || pending.Index != index)
            {
                return false; // replaced by a later checkpoint, or by an installed snapshot
            }
            _published = pending;
            _pending = null;
            return true;
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>
    /// Replaces the store with a snapshot the leader streamed: unpack it, keep it as this member's
    /// snapshot, and swap the store folder for a linked copy, crash-safely (see <see cref="MemberPaths.RecoverStoreSwap"/>).
    /// </summary>
    private async ValueTask<long> InstallAsync(LogEntry entry, CancellationToken token)
    {
        Log.SnapshotInstalling(_logger, entry.Index, entry.Term);
        var snapshotDirectory = _paths.Snapshot(entry.Index, entry.Term);
        var partial = snapshotDirectory + ".partial";
        await using (var file = new FileStream(_paths.IncomingSnapshot, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous | FileOptions.DeleteOnClose))
        {
            await entry.WriteToAsync(file, 64 * 1024, token).ConfigureAwait(false);
            file.Position = 0;
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
            await SnapshotArchive.ExtractAsync(file, Path.Combine(partial, "data"), token).ConfigureAwait(false);
        }
        if (Directory.Exists(snapshotDirectory))
        {
            Directory.Delete(snapshotDirectory, recursive: true);
        }
        Directory.Move(Path.Combine(partial, "data"), snapshotDirectory);
        Directory.Delete(partial);

        HardLinks.LinkTree(snapshotDirectory, _paths.NextStore);
        var old = _store;
        old.Dispose();
        Directory.Move(_paths.Store, _paths.OldStore);
        Failpoints.CrashDuringSnapshotInstall?.Hit();
        Directory.Move(_paths.NextStore, _paths.Store);
        HardLinks.FsyncDirectory(_paths.Root);
        Directory.Delete(_paths.OldStore, recursive: true);

        var store = MvccStore.Open(_storeOptions);
        if (store.Checkpointed.Index != entry.Index)
        {
            throw new InvalidDataException($"the snapshot for index {entry.Index} holds a checkpoint at {store.Checkpointed.Index}");
        }
        _store = store;
        _appliedTerm = entry.Term;
        Volatile.Write(ref _appliedIndex, entry.Index);
        _checkpointIndex = entry.Index;
        _pending = null;
        // The WAL reads the new commit point from Snapshot as soon as this returns.
        _published = new StoreSnapshot(snapshotDirectory, entry.Index, entry.Term);
        Log.SnapshotInstalled(_logger, entry.Index, store.Revision);
        Interlocked.Increment(ref _snapshotsInstalled);
        SignalStoreChanged();
        return entry.Index;
    }
}
