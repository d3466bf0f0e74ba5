using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>Bugs the harness can pretend the store has, to show that its checkers catch them.</summary>
[Flags]
public enum InjectedBug
{
    None = 0,

    /// <summary>Once, a read answers a value that a write completed before the read began had already replaced.</summary>
    StaleRead = 1,

    /// <summary>Once, the first watcher loses one event (the tenth it receives).</summary>
    DropWatchEvent = 2,
}

/// <summary>
/// A deliberately broken store, made client-side: it sits between the real answers and the recorded history
/// and distorts them as a buggy server would (a follower serving a stale read, a watch that drops an event).
/// The real server is not changed; a server build with these bugs compiled in is still to do (issue 6).
/// </summary>
public sealed class BrokenStore(InjectedBug bugs)
{
    private readonly Dictionary<string, List<Operation>> _acknowledged = [];
    private int _staleReads;
    private int _watchEvents;

    public InjectedBug Bugs { get; } = bugs;

    /// <summary>Notes an answered op; returns it, or the stale version of a read when that bug is on and its moment has come.</summary>
    public Operation Distort(Operation op)
    {
        if (Bugs.HasFlag(InjectedBug.StaleRead) && op.Outcome == Outcome.Ok)
        {
            lock (_acknowledged)
            {
                if (op.Type != OpType.Read && op.Succeeded is not false)
                {
                    (_acknowledged.TryGetValue(op.Key, out var list) ? list : _acknowledged[op.Key] = []).Add(op);
                }
                else if (op.Type == OpType.Read && _staleReads == 0 && Overwritten(op) is { } old)
                {
                    _staleReads++;
                    return op with { Value = old.Value };
                }
            }
        }
        return op;
    }

    /// <summary>Whether the watcher named <paramref name="watcher"/> should lose this event.</summary>
    public bool Drop(int watcher, WatchEvent e)
    {
        _ = e;
        return Bugs.HasFlag(InjectedBug.DropWatchEvent) && watcher == 0 && Interlocked.Increment(ref _watchEvents) == 10;
    }

    /// <summary>An acknowledged write to the read's key that another acknowledged write, begun after it completed, replaced before the read began.</summary>
    private Operation? Overwritten(Operation read)
    {
        if (!_acknowledged.TryGetValue(read.Key, out var writes))
        {
            return null;
        }
        foreach (var older in writes)
        {
            if (older.Value != read.Value && writes.Any(newer => newer.InvokeNs > older.CompleteNs && newer.CompleteNs < read.InvokeNs))
            {
                return older;
            }
        }
        return null;
    }
}
