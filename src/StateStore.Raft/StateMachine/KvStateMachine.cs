using System.Buffers;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using StateStore.Kv;
using StateStore.Raft.Commands;
using StateStore.Storage;

namespace StateStore.Raft.StateMachine;

/// <summary>
/// Applies committed log entries to the <see cref="MvccStore"/>, in log order, and serves the WAL's
/// snapshots: FASTER checkpoints taken every <see cref="SnapshotPolicy.EveryEntries"/> entries, and
/// installs snapshots a leader streams to this member when it is too far behind.
/// </summary>
/// <remarks>
/// The WAL learns where the store stands only from <see cref="ISnapshotManager.Snapshot"/>: at start it
/// replays from the snapshot's index, and entries the store's own checkpoint already holds are
/// skipped here. An exception escaping ApplyAsync stops DotNext's WAL for good, so one is raised only
/// for damage that must stop the member (<see cref="Fatal"/> tells the host).
/// </remarks>
internal sealed partial class KvStateMachine : IStateMachine, IDisposable
{
    private readonly MemberPaths _paths;
    private readonly MvccStoreOptions _storeOptions;
    private readonly SnapshotPolicy _policy;
    private readonly ILogger _logger;
    private volatile MvccStore _store;
    private long _appliedIndex;
    private long _appliedTerm;
    private long _checkpointIndex;
    private volatile StoreSnapshot? _published;
    private StoreSnapshot? _pending;
    // Held by each apply; a checkpoint for a joining member (CheckpointForCatchUpAsync) takes it between two applies.
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private TaskCompletionSource _storeChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _disposed;

    public KvStateMachine(MemberPaths paths, MvccStoreOptions storeOptions, SnapshotPolicy policy, ILogger logger)
    {
        _paths = paths;
        _storeOptions = storeOptions with { DataDirectory = paths.Store };
        _policy = policy;
        _logger = logger;
        paths.RecoverStoreSwap();
        Directory.CreateDirectory(paths.Snapshots);
        _store = MvccStore.Open(_storeOptions);
        var checkpointed = _store.Checkpointed;
        _appliedIndex = _checkpointIndex = checkpointed.Index;
        _appliedTerm = checkpointed.Term;
        // The newest snapshot at or below the store's checkpoint; entries between them are in the WAL
        // (it drops entries only up to a published snapshot) and are skipped as already applied.
        var latest = paths.ListSnapshots().LastOrDefault(s => s.Index <= checkpointed.Index);
        _published = latest.Path is null ? null : new StoreSnapshot(latest.Path, latest.Index, latest.Term);
        Log.Restored(_logger, checkpointed.Index, _store.Revision, _published?.Index ?? 0);
    }

    /// <summary>Emulate a slow disk under the WAL's flusher (<see cref="Failpoints.SlowWalFlush"/>).</summary>
    public bool SlowWalFlush { get; init; }

    /// <summary>Emulate slow disks under the followers' WAL flushers (<see cref="Failpoints.SlowFollowerWalFlush"/>).</summary>
    public bool SlowFollowerWalFlush { get; init; }

    /// <summary>Whether the member follows now (for <see cref="SlowFollowerWalFlush"/>); set once the cluster exists.</summary>
    public Func<bool> IsFollowing { get; set; } = () => false;

    /// <summary>Watches on this member lose an event (the injected bug <see cref="Failpoints.DropWatchEvent"/>).</summary>
    public bool DropWatchEvent { get; init; }

    /// <summary>Raised when applying hit damage the member cannot go on from.</summary>
    public event Action<Exception>? Fatal;

    /// <summary>The store; replaced when a snapshot is installed.</summary>
    public MvccStore Store => _store;

    public ProposalRegistry Proposals { get; } = new();

    public long AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>Snapshots received from a leader and installed since this member started.</summary>
    public int SnapshotsInstalled => Volatile.Read(ref _snapshotsInstalled);

    private int _snapshotsInstalled;

    ISnapshot? ISnapshotManager.Snapshot
    {
        get
        {
            if ((SlowWalFlush || SlowFollowerWalFlush) && SlowDisk.CalledFromWalFlusher())
            {
                Thread.Sleep(SlowFollowerWalFlush && IsFollowing() ? SlowDisk.FollowerFlushDelay : SlowDisk.FlushDelay);
            }
            return _published;
        }
    }

    async ValueTask<long> IStateMachine.ApplyAsync(LogEntry entry, CancellationToken token)
    {
        await _applyGate.WaitAsync(token).ConfigureAwait(false);
        try
        {
            if (entry.IsSnapshot)
            {
                return await InstallAsync(entry, token).ConfigureAwait(false);
            }
            if (entry.Index <= _appliedIndex)
            {
                return _appliedIndex; // already in the store's checkpoint
            }
            var command = !entry.IsConfiguration && await ReadPayloadAsync(entry, token).ConfigureAwait(false) is { IsEmpty: false } payload ? payload : default;
            if (!command.IsEmpty)
            {
                Failpoints.CrashBeforeApply?.Hit();
                ApplyCommand(entry, command);
            }
            _appliedTerm = entry.Term;
            Volatile.Write(ref _appliedIndex, entry.Index);
            if (!command.IsEmpty)
            {
                Failpoints.CrashAfterApply?.Hit();
            }
            await MaybeSnapshotAsync(token).ConfigureAwait(false);
            return entry.Index;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.ApplyFailed(_logger, entry.Index, e);
            Fatal?.Invoke(e);
            throw;
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private static async ValueTask<ReadOnlySequence<byte>> ReadPayloadAsync(LogEntry entry, CancellationToken token) =>
        entry.TryGetPayload(out var payload) ? payload : new ReadOnlySequence<byte>(await entry.ToByteArrayAsync(token: token).ConfigureAwait(false));

    private void ApplyCommand(LogEntry entry, ReadOnlySequence<byte> payload)
    {
        Command command;
        try
        {
            command = CommandCodec.Decode(payload);
        }
        catch (InvalidDataException e)
        {
            // Every member reads the same bytes and skips them the same way, so the stores stay equal.
            Log.UndecodableEntry(_logger, entry.Index, e);
            return;
        }
        object result = command.Body switch
        {
            PutRequest put => _store.Put(put),
            DeleteRangeRequest delete => _store.DeleteRange(delete),
            TxnRequest txn => _store.Txn(txn),
            CompactRequest compact => _store.Compact(compact),
            LeaseGrantRequest grant => _store.LeaseGrant(grant),
            LeaseRevokeRequest revoke => _store.LeaseRevoke(revoke),
            AlarmRequest alarm => _store.Alarm(alarm),
            _ => throw new InvalidOperationException($"no apply for {command.Body.GetType().Name}"),
        };
        Proposals.Complete(command.Id, entry.Context, result);
    }

    ValueTask ISnapshotManager.ReclaimGarbageAsync(long watermark, CancellationToken token)
    {
        var published = _published?.Index ?? 0;
        foreach (var (index, _, path) in _paths.ListSnapshots())
        {
            if (index < watermark && index < published)
            {
                Directory.Delete(path, recursive: true);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The store that replaced <paramref name="current"/> (after a snapshot install), or null once the
    /// member stops. Waits while a replacement is in progress.
    /// </summary>
    public async Task<MvccStore?> NextStoreAsync(MvccStore current, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _storeChanged).Task;
            if (_disposed)
            {
                return null;
            }
            if (!ReferenceEquals(_store, current))
            {
                return _store;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SignalStoreChanged() =>
        Interlocked.Exchange(ref _storeChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void Dispose()
    {
        _disposed = true;
        SignalStoreChanged();
        Proposals.CancelAll();
        _store.Dispose();
    }
}
