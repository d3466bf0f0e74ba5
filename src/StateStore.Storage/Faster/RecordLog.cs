using System.Buffers;
using System.Collections.Concurrent;
using FASTER.core;

namespace StateStore.Storage.Faster;

using Session = ClientSession<RevisionKey, SpanByte, SpanByte, StoredRecord?, Empty, RecordFunctions>;

/// <summary>
/// The one narrow class in front of FASTER: stored versions keyed by revision, one writer session
/// (the caller serialises writes) and pooled reader sessions, checkpoint and recovery with a commit
/// cookie. Nothing above this class sees FASTER types.
/// </summary>
internal sealed class RecordLog : IDisposable
{
    private readonly FasterKV<RevisionKey, SpanByte> _kv;
    private readonly IDevice _device;
    private readonly RecordFunctions _functions = new();
    private readonly Session _writer;
    private readonly ConcurrentBag<Session> _readers = [];
    private readonly string _checkpointDirectory;
    private bool _disposed;

    private RecordLog(MvccStoreOptions options)
    {
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        _checkpointDirectory = Path.Combine(dataDirectory, "checkpoints");
        _device = Devices.CreateLogDevice(Path.Combine(dataDirectory, "log", "records.log"), preallocateFile: false, recoverDevice: true);
        _kv = new FasterKV<RevisionKey, SpanByte>(new FasterKVSettings<RevisionKey, SpanByte>
        {
            IndexSize = 1L << options.IndexSizeBits,
            LogDevice = _device,
            PageSize = 1L << options.LogPageSizeBits,
            MemorySize = 1L << options.LogMemorySizeBits,
            CheckpointDir = _checkpointDirectory,
            EqualityComparer = RevisionKeyComparer.Instance,
            RemoveOutdatedCheckpoints = true,
            TryRecoverLatest = false,
        });
        if (HasCheckpoint)
        {
            _kv.Recover();
            RecoveredCookie = _kv.RecoveredCommitCookie;
        }
        _writer = NewSession();
    }

    /// <summary>The cookie of the checkpoint recovered at open, or null when the log started empty.</summary>
    public byte[]? RecoveredCookie { get; }

    private bool HasCheckpoint =>
        Directory.Exists(Path.Combine(_checkpointDirectory, "cpr-checkpoints"))
        && Directory.EnumerateDirectories(Path.Combine(_checkpointDirectory, "cpr-checkpoints")).Any();

    public static RecordLog Open(MvccStoreOptions options) => new(options);

    /// <summary>Bytes of records in the log (in memory and on disk), superseded ones included until FASTER reclaims them.</summary>
    public long Size => _kv.Log.TailAddress - _kv.Log.BeginAddress;

    /// <summary>Stores a version. Writer only.</summary>
    public unsafe void Append(RevisionKey key, StoredRecord record)
    {
        var length = record.EncodedLength;
        if (length <= 512)
        {
            Span<byte> buffer = stackalloc byte[length];
            record.Encode(buffer);
            fixed (byte* p = buffer)
            {
                Upsert(key, p, length);
            }
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            record.Encode(rented);
            fixed (byte* p = rented)
            {
                Upsert(key, p, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private unsafe void Upsert(RevisionKey key, byte* data, int length)
    {
        var value = SpanByte.FromPointer(data, length);
        var status = _writer.Upsert(ref key, ref value);
        if (status.IsPending)
        {
            _writer.CompletePending(wait: true);
        }
    }

    /// <summary>Removes a version (compaction). Writer only.</summary>
    public void Delete(RevisionKey key)
    {
        var status = _writer.Delete(ref key);
        if (status.IsPending)
        {
            _writer.CompletePending(wait: true);
        }
    }

    /// <summary>Reads a version on the writer's session (inside a write). Writer only.</summary>
    public StoredRecord? ReadForWriter(RevisionKey key) => Read(_writer, key);

    /// <summary>Reads a version from any thread.</summary>
    public StoredRecord? Read(RevisionKey key)
    {
        var session = RentReader();
        try
        {
            return Read(session, key);
        }
        finally
        {
            _readers.Add(session);
        }
    }

    private static StoredRecord? Read(Session session, RevisionKey key)
    {
        StoredRecord? output = null;
        var status = session.Read(ref key, ref output);
        if (status.IsPending)
        {
            session.CompletePendingWithOutputs(out var completed, wait: true);
            using (completed)
            {
                if (!completed.Next())
                {
                    return ThrowHelper.Corrupt<StoredRecord?>($"a pending read of {key} completed without output");
                }
                status = completed.Current.Status;
                output = completed.Current.Output;
            }
        }
        if (status.IsFaulted)
        {
            ThrowHelper.Corrupt($"FASTER could not read {key}: {status}");
        }
        return status.Found ? output : null;
    }

    /// <summary>
    /// Compacts the immutable part of the log: live records move to the tail, the begin address moves past
    /// the rest, so <see cref="Size"/> shrinks. The files stay until a later checkpoint no longer needs them
    /// (the last checkpoint may still be recovered from them after a crash).
    /// </summary>
    public void Compact()
    {
        // Only immutable records can be compacted: make everything written so far immutable first.
        _kv.Log.ShiftReadOnlyAddress(_kv.Log.TailAddress, wait: true);
        var until = _kv.Log.SafeReadOnlyAddress;
        if (until > _kv.Log.BeginAddress)
        {
            _writer.Compact(until, CompactionType.Scan);
        }
    }

    private Session RentReader() => _readers.TryTake(out var session) ? session : NewSession();

    private Session NewSession() => _kv.For(_functions).NewSession<RecordFunctions>();

    /// <summary>
    /// Takes a durable checkpoint carrying <paramref name="cookie"/>. The caller must hold writes
    /// still until it completes, so the checkpoint and the cookie describe the same state.
    /// </summary>
    public async Task CheckpointAsync(byte[] cookie, CancellationToken cancellationToken)
    {
        _kv.CommitCookie = cookie;
        var (success, _) = await _kv.TakeFullCheckpointAsync(CheckpointType.FoldOver, cancellationToken).ConfigureAwait(false);
        if (!success)
        {
            throw new IOException("FASTER refused to start a checkpoint (another one is in progress).");
        }
    }

    /// <summary>
    /// Every live stored version without its value, in no particular order (used to rebuild the index at open): a
    /// restored store would otherwise hold a copy of every value in memory while it opens.
    /// </summary>
    public IEnumerable<(RevisionKey Key, StoredRecordHeader Record)> ScanAll()
    {
        var live = new Dictionary<RevisionKey, StoredRecordHeader>();
        using var iterator = _kv.Log.Scan(_kv.Log.BeginAddress, _kv.Log.TailAddress);
        while (iterator.GetNext(out var info))
        {
            var key = iterator.GetKey();
            if (info.Tombstone)
            {
                live.Remove(key);
            }
            else
            {
                live[key] = StoredRecord.DecodeHeader(iterator.GetValue().AsReadOnlySpan());
            }
        }
        foreach (var entry in live)
        {
            yield return (entry.Key, entry.Value);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _writer.Dispose();
        while (_readers.TryTake(out var session))
        {
            session.Dispose();
        }
        _kv.Dispose();
        _device.Dispose();
    }
}
