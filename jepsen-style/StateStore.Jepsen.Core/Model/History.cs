using System.Diagnostics;

namespace StateStore.Jepsen.Core.Model;

/// <summary>
/// The operations of a run, recorded as they complete, on one clock (nanoseconds since the run began) shared
/// with the watchers and the nemesis windows.
/// </summary>
public sealed class History
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Operation> _ops = [];
    private int _nextId;
    private int _nextProcess;

    /// <summary>Nanoseconds since the run began.</summary>
    public long NowNs => (long)(_clock.ElapsedTicks * (1e9 / Stopwatch.Frequency));

    public int NextId() => Interlocked.Increment(ref _nextId) - 1;

    /// <summary>A fresh process id: one per client at start, and a new one each time a client's op ends Unknown.</summary>
    public int NextProcess() => Interlocked.Increment(ref _nextProcess) - 1;

    public void Add(Operation op)
    {
        lock (_ops)
        {
            _ops.Add(op);
        }
    }

    /// <summary>The ops recorded so far, by invocation time.</summary>
    public IReadOnlyList<Operation> Snapshot()
    {
        lock (_ops)
        {
            return [.. _ops.OrderBy(o => o.InvokeNs).ThenBy(o => o.Id)];
        }
    }
}
