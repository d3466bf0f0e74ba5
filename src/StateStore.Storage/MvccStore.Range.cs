using StateStore.Kv;
using StateStore.Storage.Faster;
using StateStore.Storage.Index;
using StateStore.Storage.Validation;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    public KvResult<RangeResponse> Range(RangeRequest request)
    {
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return invalid;
        }
        if (!TryEnter())
        {
            return KvFailure.Of(KvStatus.Unavailable);
        }
        try
        {
            long current;
            long revision;
            List<Revision> found;
            long count;
            _indexLock.EnterReadLock();
            try
            {
                current = _revision;
                revision = request.Revision <= 0 ? current : request.Revision;
                if (CheckReadable(revision) is { } unreadable)
                {
                    return unreadable;
                }
                (found, count) = Collect(request, revision);
            }
            finally
            {
                _indexLock.ExitReadLock();
            }
            var response = Materialize(request, current, found, count, _log.Read);
            // A compaction that ran after the index was read may have dropped records just read.
            return revision < CompactRevision ? KvFailure.Of(KvStatus.Compacted) : KvResult<RangeResponse>.Ok(response);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// A range inside a txn (under the write lock), reading on the writer's session. It sees the
    /// txn's earlier writes unless it names its own revision; its header carries the txn's view.
    /// </summary>
    private RangeResponse RangeInWrite(RangeRequest request, WriteBatch batch)
    {
        var current = batch.Changed ? batch.Revision : _revision;
        var (found, count) = Collect(request, request.Revision > 0 ? request.Revision : current);
        return Materialize(request, current, found, count, _log.ReadForWriter);
    }

    private KvFailure? CheckReadable(long revision)
    {
        if (revision > _revision)
        {
            return KvFailure.Of(KvStatus.FutureRevision);
        }
        if (revision < _compactRevision)
        {
            return KvFailure.Of(KvStatus.Compacted);
        }
        return null;
    }

    /// <summary>
    /// Under the index lock: the versions to read and the count of keys alive in the range. Only
    /// what the answer can contain is collected: with key order and no filters, just the first
    /// (or last) Limit keys.
    /// </summary>
    private (List<Revision> Found, long Count) Collect(RangeRequest request, long revision)
    {
        var found = new List<Revision>();
        long count = 0;
        var byKeyOnly = NeedsOnlyKeyOrder(request);
        var limit = request.Limit > 0 && byKeyOnly ? request.Limit : long.MaxValue;
        var keyDescending = request.SortOrder == SortOrder.Descend && request.SortTarget == SortTarget.Key;
        foreach (var key in _index.InRange(KeyRange.From(request.Key, request.RangeEnd)))
        {
            if (!key.TryGetAliveAt(revision, out var at))
            {
                continue;
            }
            count++;
            if (request.CountOnly)
            {
                continue;
            }
            if (keyDescending || found.Count < limit)
            {
                found.Add(at);
            }
        }
        if (keyDescending)
        {
            found.Reverse();
        }
        if (found.Count > limit)
        {
            found.RemoveRange((int)limit, found.Count - (int)limit);
        }
        return (found, count);
    }

    private static bool NeedsOnlyKeyOrder(RangeRequest request) =>
        request.SortTarget == SortTarget.Key
        && request.MinModRevision == 0 && request.MaxModRevision == 0
        && request.MinCreateRevision == 0 && request.MaxCreateRevision == 0;

    /// <summary>
    /// Reads the collected versions and applies filters, sorting and the limit, as etcd's apply does.
    /// The header carries the current revision even for a read in the past, as etcd's does.
    /// </summary>
    private static RangeResponse Materialize(RangeRequest request, long currentRevision, List<Revision> found, long count, Func<RevisionKey, StoredRecord?> read)
    {
        if (request.CountOnly)
        {
            return new RangeResponse(currentRevision, [], false, count);
        }
        var kvs = new List<KeyValue>(found.Count);
        foreach (var at in found)
        {
            var record = read(at.StorageKey) ?? ThrowHelper.Corrupt<StoredRecord>($"the index names {at.StorageKey} but storage has no record");
            var kv = record.ToKeyValue(at.Main);
            if (Passes(request, kv))
            {
                kvs.Add(kv);
            }
        }
        Sort(request, kvs);
        var more = false;
        if (request.Limit > 0 && kvs.Count > request.Limit)
        {
            kvs.RemoveRange((int)request.Limit, kvs.Count - (int)request.Limit);
            more = true;
        }
        else if (request.Limit > 0 && NeedsOnlyKeyOrder(request))
        {
            // Only Limit versions were collected; the count says whether there were more.
            more = count > kvs.Count;
        }
        if (request.KeysOnly)
        {
            // After sorting: a sort by value still sees the values.
            for (var i = 0; i < kvs.Count; i++)
            {
                kvs[i] = kvs[i] with { Value = Bytes.Empty };
            }
        }
        return new RangeResponse(currentRevision, kvs, more, count);
    }

    private static bool Passes(RangeRequest r, KeyValue kv) =>
        (r.MinModRevision == 0 || kv.ModRevision >= r.MinModRevision)
        && (r.MaxModRevision == 0 || kv.ModRevision <= r.MaxModRevision)
        && (r.MinCreateRevision == 0 || kv.CreateRevision >= r.MinCreateRevision)
        && (r.MaxCreateRevision == 0 || kv.CreateRevision <= r.MaxCreateRevision);

    /// <summary>Stable sort over key order; None with a target other than Key means Ascend (etcd).</summary>
    private static void Sort(RangeRequest request, List<KeyValue> kvs)
    {
        var order = request.SortOrder == SortOrder.None && request.SortTarget != SortTarget.Key ? SortOrder.Ascend : request.SortOrder;
        if (order == SortOrder.None || request.SortTarget == SortTarget.Key)
        {
            return; // already in key order (reversed during collection for Descend)
        }
        Comparison<KeyValue> compare = request.SortTarget switch
        {
            SortTarget.Version => (a, b) => a.Version.CompareTo(b.Version),
            SortTarget.Create => (a, b) => a.CreateRevision.CompareTo(b.CreateRevision),
            SortTarget.Mod => (a, b) => a.ModRevision.CompareTo(b.ModRevision),
            SortTarget.Value => (a, b) => Bytes.Compare(a.Value, b.Value),
            _ => (_, _) => 0,
        };
        var sign = order == SortOrder.Descend ? -1 : 1;
        var sorted = kvs.Select((kv, i) => (kv, i)).ToList();
        sorted.Sort((x, y) =>
        {
            var c = sign * compare(x.kv, y.kv);
            return c != 0 ? c : x.i.CompareTo(y.i);
        });
        for (var i = 0; i < kvs.Count; i++)
        {
            kvs[i] = sorted[i].kv;
        }
    }
}
