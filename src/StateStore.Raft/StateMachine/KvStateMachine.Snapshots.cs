using System.IO.Pipelines;
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
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }
        await ReceiveAsync(entry, Path.Combine(partial, "data"), token).ConfigureAwait(false);
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

    /// <summary>
    /// Unpacks the snapshot into <paramref name="directory"/> as it arrives: the leader's stream is read into a pipe
    /// while the archive is extracted from it (it used to go to a file first and be read back, ~0.3 s per 100,000
    /// keys). A damaged archive still fails at its checksum, before anything replaces the store.
    /// </summary>
    private static async Task ReceiveAsync(LogEntry entry, string directory, CancellationToken token)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(token);
        var receive = Task.Run(async () =>
        {
            try
            {
                await using (var sink = pipe.Writer.AsStream(leaveOpen: true))
                {
                    await entry.WriteToAsync(sink, 64 * 1024, abort.Token).ConfigureAwait(false);
                }
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);
        try
        {
            await using var source = pipe.Reader.AsStream();
            await SnapshotArchive.ExtractAsync(source, directory, abort.Token).ConfigureAwait(false);
            await source.CopyToAsync(Stream.Null, abort.Token).ConfigureAwait(false); // nothing follows the checksum
        }
        catch
        {
            await abort.CancelAsync().ConfigureAwait(false);
            await receive.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
        await receive.ConfigureAwait(false);
    }
}
