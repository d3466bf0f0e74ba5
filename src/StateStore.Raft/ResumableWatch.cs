using StateStore.Kv;
using StateStore.Raft.StateMachine;
using StateStore.Storage;

namespace StateStore.Raft;

/// <summary>
/// A watch on this member's store that survives the store being replaced by an installed snapshot:
/// when the old store's watch ends StoreClosed and a new store is in place, it continues on the new
/// one from the revision after the last one it delivered — no gap, no repeat.
/// </summary>
internal sealed class ResumableWatch : IKvWatch
{
    private readonly KvStateMachine _machine;
    private readonly WatchRequest _request;
    private IKvWatch _inner;
    private MvccStore _store;
    private long _covered;

    /// <summary>
    /// The injected bug drop-watch-event (<see cref="Failpoints.DropWatchEvent"/>): the revision above which the
    /// first event is lost (the store's revision when the watch was created), or 0 when nothing is to be dropped.
    /// </summary>
    private long _dropAbove;

    private ResumableWatch(KvStateMachine machine, WatchRequest request, MvccStore store, IKvWatch inner, long covered)
    {
        _machine = machine;
        _request = request;
        _store = store;
        _inner = inner;
        _covered = covered;
    }

    public static KvResult<IKvWatch> Start(KvStateMachine machine, WatchRequest request)
    {
        var store = machine.Store;
        // Pin "from now" to a revision, so a resumed watch knows where it stood.
        var start = request.StartRevision > 0 ? request.StartRevision : store.Revision + 1;
        var pinned = request with { StartRevision = start };
        var inner = store.Watch(pinned);
        return inner.IsOk
            ? KvResult<IKvWatch>.Ok(new ResumableWatch(machine, pinned, store, inner.Value, start - 1) { _dropAbove = machine.DropWatchEvent ? store.Revision : 0 })
            : KvResult<IKvWatch>.Fail(inner.Status, inner.Error);
    }

    public async ValueTask<WatchResponse> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var response = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (response.EndReason != WatchEndReason.StoreClosed)
            {
                if (!response.IsEnd)
                {
                    _covered = response.Revision;
                }
                return _dropAbove > 0 ? Drop(response) : response;
            }
            // The store closed: either the member is stopping, or a snapshot install is swapping it.
            if (await _machine.NextStoreAsync(_store, cancellationToken).ConfigureAwait(false) is not { } next)
            {
                return response;
            }
            _store = next;
            var resumed = _store.Watch(_request with { StartRevision = _covered + 1 });
            if (!resumed.IsOk)
            {
                return response;
            }
            _inner = resumed.Value;
        }
    }

    /// <summary>The response without its first event past <see cref="_dropAbove"/>, once per watch.</summary>
    private WatchResponse Drop(WatchResponse response)
    {
        var index = response.Events.ToList().FindIndex(e => e.Kv.ModRevision > _dropAbove);
        if (index < 0)
        {
            return response;
        }
        _dropAbove = 0;
        return response with { Events = [.. response.Events.Where((_, i) => i != index)] };
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
