using StateStore.Kv;
using StateStore.Storage.Faster;
using StateStore.Storage.Index;
using StateStore.Storage.Snapshots;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    private int _activeReaders;

    /// <summary>
    /// Writes a durable checkpoint that records <paramref name="appliedIndex"/> (the Raft index of the
    /// last applied entry) alongside the data; <see cref="Open"/> restores exactly this state.
    /// Writes wait while it runs; reads go on.
    /// </summary>
    public Task CheckpointAsync(long appliedIndex, CancellationToken cancellationToken = default) =>
        CheckpointAsync(new AppliedPosition(appliedIndex, 0), snapshotDirectory: null, cancellationToken);

    /// <summary>
    /// Writes a durable checkpoint recording <paramref name="applied"/>. With a
    /// <paramref name="snapshotDirectory"/>, the checkpoint's files are also hard-linked there (no copy),
    /// so they stay readable as a snapshot after later checkpoints replace them; the folder must not exist.
    /// </summary>
    public async Task CheckpointAsync(AppliedPosition applied, string? snapshotDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(applied.Index);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            var position = new StorePosition(applied, _revision, _compactRevision) { Leases = _leases.Snapshot(), Alarms = AlarmSnapshot() };
            await _log.CheckpointAsync(position.ToCookie(), cancellationToken).ConfigureAwait(false);
            if (snapshotDirectory is not null)
            {
                // Still holding writes: no later checkpoint can replace these files before they are linked.
                HardLinks.LinkTree(_dataDirectory, snapshotDirectory);
            }
            lock (_checkpointLock)
            {
                _checkpointed = applied;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Rebuilds the ordered key index from the versions in storage (etcd's restore of treeIndex).</summary>
    private static TreeIndex RebuildIndex(RecordLog log)
    {
        var byKey = new Dictionary<byte[], (List<Revision> Revisions, RevisionKey Newest, StoredRecordHeader NewestRecord)>(ByteArrayComparer.Instance);
        foreach (var (at, record) in log.ScanAll())
        {
            var revision = new Revision(at.Main, (int)at.Sub, record.IsTombstone);
            if (byKey.TryGetValue(record.Key, out var entry))
            {
                entry.Revisions.Add(revision);
                if (at > entry.Newest)
                {
                    byKey[record.Key] = (entry.Revisions, at, record);
                }
            }
            else
            {
                byKey[record.Key] = ([revision], at, record);
            }
        }
        var index = TreeIndex.Restore(byKey.Values.Select(e =>
            KeyIndex.Restore(e.NewestRecord.Key, e.Revisions, e.NewestRecord.CreateRevision, e.NewestRecord.Version, e.NewestRecord.Lease)));
        if (byKey.Count >= LargeRestoreKeys)
        {
            // The scan's dictionaries are garbage now, and large: without a compacting collection that gives the
            // memory back, a member that restored a big store kept its peak heap (twice its peers' RSS at 1M keys).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return index;
    }

    /// <summary>Keys from which a restore gives its scan's memory back at once (<see cref="RebuildIndex"/>).</summary>
    private const int LargeRestoreKeys = 100_000;

    /// <summary>Registers a read that touches storage outside the index lock; false once the store is closing.</summary>
    private bool TryEnter()
    {
        Interlocked.Increment(ref _activeReaders);
        if (_disposed)
        {
            Exit();
            return false;
        }
        return true;
    }

    private void Exit() => Interlocked.Decrement(ref _activeReaders);

    /// <summary>Waits for reads in flight before storage is closed.</summary>
    private void WaitForReaders()
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _activeReaders) > 0)
        {
            spin.SpinOnce();
        }
    }
}
