using StateStore.Kv;

namespace StateStore.Storage.Watch;

/// <summary>Which events a watch wants: its key range, event kinds and whether it wants prev_kv.</summary>
internal sealed class WatchFilter(WatchRequest request)
{
    public KeyRange Range { get; } = KeyRange.From(request.Key, request.RangeEnd);

    public bool PrevKv { get; } = request.PrevKv;

    public bool Matches(WatchEvent e) =>
        (e.Type == EventType.Put ? !request.NoPut : !request.NoDelete) && Range.Contains(e.Kv.Key);

    /// <summary>The event as this watcher sees it (without prev_kv unless it asked).</summary>
    public WatchEvent Shape(WatchEvent e) => PrevKv || e.PrevKv is null ? e : e with { PrevKv = null };

    /// <summary>The matching events of one revision, shaped; the input list itself when nothing changes.</summary>
    public IReadOnlyList<WatchEvent> Select(IReadOnlyList<WatchEvent> events)
    {
        List<WatchEvent>? selected = null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var keep = Matches(e);
            var shaped = keep ? Shape(e) : e;
            if (selected is null && keep && ReferenceEquals(shaped, e))
            {
                continue;
            }
            selected ??= [.. events.Take(i)];
            if (keep)
            {
                selected.Add(shaped);
            }
        }
        return selected ?? events;
    }
}
