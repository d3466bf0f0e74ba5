using StateStore.Kv;
using StateStore.Storage.Faster;
using StateStore.Storage.Index;
using StateStore.Storage.Validation;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    /// <summary>The changes of one write transaction: they all get <see cref="Revision"/>, in sub-revision order.</summary>
    private sealed class WriteBatch(long revision)
    {
        public long Revision { get; } = revision;

        public int Sub { get; private set; }

        public List<WatchEvent> Events { get; } = [];

        public bool Changed => Sub > 0;

        public RevisionKey Next() => new(Revision, Sub++);
    }

    public KvResult<PutResponse> Put(PutRequest request)
    {
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return invalid;
        }
        return Write(batch =>
        {
            if (_noSpace)
            {
                return KvFailure.Of(KvStatus.NoSpace);
            }
            if (CheckPut(request) is { } failure)
            {
                return failure;
            }
            return KvResult<PutResponse>.Ok(PutInWrite(request, batch));
        });
    }

    public KvResult<DeleteRangeResponse> DeleteRange(DeleteRangeRequest request)
    {
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return invalid;
        }
        return Write(batch => KvResult<DeleteRangeResponse>.Ok(DeleteInWrite(request, batch)));
    }

    public KvResult<CompactResponse> Compact(CompactRequest request) => Write(_ =>
    {
        if (request.Revision <= _compactRevision)
        {
            return KvFailure.Of(KvStatus.Compacted);
        }
        if (request.Revision > _revision)
        {
            return KvFailure.Of(KvStatus.FutureRevision);
        }
        CompactInWrite(request.Revision);
        return KvResult<CompactResponse>.Ok(new CompactResponse(_revision));
    });

    /// <summary>
    /// Runs one write transaction: writers one at a time, the index locked against readers while it
    /// changes, then the revision advances and the watchers hear of it, in revision order. The body
    /// must fail only before it changes anything.
    /// </summary>
    private KvResult<T> Write<T>(Func<WriteBatch, KvResult<T>> body)
    {
        _writeGate.Wait();
        try
        {
            if (_disposed)
            {
                return KvFailure.Of(KvStatus.Unavailable);
            }
            var batch = new WriteBatch(_revision + 1);
            KvResult<T> result;
            _indexLock.EnterWriteLock();
            try
            {
                result = body(batch);
                if (!result.IsOk && batch.Changed)
                {
                    ThrowHelper.Corrupt($"a write failed ({result.Status}) after changing the store");
                }
                if (batch.Changed)
                {
                    Volatile.Write(ref _revision, batch.Revision);
                }
            }
            finally
            {
                _indexLock.ExitWriteLock();
            }
            if (batch.Changed)
            {
                _hub.Publish(batch.Revision, batch.Events);
            }
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>etcd's checks of a put against the current state: the key exists when it keeps its value or lease, the lease exists.</summary>
    private KvFailure? CheckPut(PutRequest put)
    {
        if ((put.IgnoreValue || put.IgnoreLease) && _index.Get(put.Key) is not { IsAlive: true })
        {
            return KvFailure.Of(KvStatus.KeyNotFound);
        }
        if (!put.IgnoreLease && put.Lease != 0 && !_leases.Contains(put.Lease))
        {
            return KvFailure.Of(KvStatus.LeaseNotFound);
        }
        return null;
    }

    private PutResponse PutInWrite(PutRequest request, WriteBatch batch)
    {
        var key = _index.GetOrAdd(request.Key);
        KeyValue? prevKv = null;
        StoredRecord? prev = null;
        if (key.IsAlive && (request.PrevKv || request.IgnoreValue || request.IgnoreLease || _hub.WantsPrevKv))
        {
            prev = ReadIndexed(key.Latest);
            prevKv = prev.ToKeyValue(key.Latest.Main);
        }
        var at = batch.Next();
        var create = key.IsAlive ? key.CreateRevision : batch.Revision;
        var version = key.IsAlive ? key.Version + 1 : 1;
        var value = request.IgnoreValue ? prev!.Value : request.Value;
        var lease = request.IgnoreLease ? prev!.Lease : request.Lease;
        var record = new StoredRecord(request.Key, value, create, version, lease, IsTombstone: false);
        _log.Append(at, record);
        if (key.IsAlive && key.Lease != lease)
        {
            _leases.Detach(key.Lease, key.Key);
        }
        _leases.Attach(lease, key.Key);
        key.AddPut(at.Main, (int)at.Sub, lease);
        batch.Events.Add(record.ToEvent(batch.Revision, prevKv));
        return new PutResponse(batch.Revision, request.PrevKv ? prevKv : null);
    }

    private DeleteRangeResponse DeleteInWrite(DeleteRangeRequest request, WriteBatch batch)
    {
        var prevKvs = new List<KeyValue>();
        long deleted = 0;
        var wantPrev = request.PrevKv || _hub.WantsPrevKv;
        foreach (var key in _index.InRange(KeyRange.From(request.Key, request.RangeEnd)))
        {
            if (!key.IsAlive)
            {
                continue;
            }
            var prevKv = wantPrev ? ReadIndexed(key.Latest).ToKeyValue(key.Latest.Main) : null;
            var at = batch.Next();
            var tombstone = StoredRecord.Tombstone(key.Key);
            _log.Append(at, tombstone);
            _leases.Detach(key.Lease, key.Key);
            key.AddTombstone(at.Main, (int)at.Sub);
            deleted++;
            batch.Events.Add(tombstone.ToEvent(batch.Revision, prevKv));
            if (request.PrevKv)
            {
                prevKvs.Add(prevKv!);
            }
        }
        return new DeleteRangeResponse(batch.Changed ? batch.Revision : _revision, deleted, prevKvs);
    }

    /// <summary>
    /// Drops every version a read at or above <paramref name="compactRevision"/> can no longer see
    /// (etcd's compaction), from the index and from storage.
    /// </summary>
    private void CompactInWrite(long compactRevision)
    {
        Volatile.Write(ref _compactRevision, compactRevision);
        _hub.Compacted(compactRevision);
        var removed = new List<RevisionKey>();
        var emptied = new List<KeyIndex>();
        foreach (var key in _index.All)
        {
            key.Compact(compactRevision, removed);
            if (key.Count == 0)
            {
                emptied.Add(key);
            }
        }
        foreach (var key in emptied)
        {
            _index.Remove(key);
        }
        foreach (var at in removed)
        {
            _log.Delete(at);
        }
    }

    /// <summary>Reads a version the index names, on the writer's session; its absence is corruption.</summary>
    private StoredRecord ReadIndexed(Revision at) =>
        _log.ReadForWriter(at.StorageKey) ?? ThrowHelper.Corrupt<StoredRecord>($"the index names {at.StorageKey} but storage has no record");
}
