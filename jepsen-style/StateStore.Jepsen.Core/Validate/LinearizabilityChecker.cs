using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>
/// The verdict for one key: its outcome, how many ops were checked and, when it is not linearizable, the op
/// no linearization could place and a small failing sub-history (itself not linearizable) to read.
/// </summary>
public sealed record KeyVerdict(string Key, SearchOutcome Outcome, int Ops, Operation? Stuck, IReadOnlyList<Operation> FailingSubHistory);

/// <summary>The verdicts of all keys; <see cref="Violations"/> are the keys that are not linearizable.</summary>
public sealed record LinearizabilityResult(IReadOnlyList<KeyVerdict> Keys)
{
    public IReadOnlyList<KeyVerdict> Violations => Keys.Where(k => k.Outcome == SearchOutcome.NotLinearizable).ToList();

    public IReadOnlyList<KeyVerdict> GaveUp => Keys.Where(k => k.Outcome == SearchOutcome.GaveUp).ToList();
}

/// <summary>
/// Checks a history for linearizability key by key (a history is linearizable iff each key's is, for single-key
/// ops), and on a violation shrinks the failing key's history to a witness. Multi-key Txns name their whole key set
/// as their key, so they form one group, searched under <see cref="TxnModel"/>; every other group is a register.
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>Past this many ops before the stuck op, the witness starts from a suffix of them.</summary>
    private const int WitnessWindow = 200;

    private const long WitnessSteps = 200_000;

    public static LinearizabilityResult Check(IEnumerable<Operation> history, long maxStepsPerKey = 5_000_000) =>
        new(history.GroupBy(o => o.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
            .AsParallel().AsOrdered()
            .Select(g => CheckKey(g.Key, [.. g.OrderBy(o => o.InvokeNs)], maxStepsPerKey))
            .ToList());

    public static KeyVerdict CheckKey(string key, IReadOnlyList<Operation> ops, long maxSteps = 5_000_000)
    {
        var search = SearchFor(ops);
        var result = search(ops, maxSteps);
        if (result.Outcome != SearchOutcome.NotLinearizable)
        {
            return new KeyVerdict(key, result.Outcome, ops.Count, null, []);
        }
        return new KeyVerdict(key, result.Outcome, ops.Count, result.Stuck, Witness(ops, result.Stuck!, search));
    }

    /// <summary>The search for a group of ops: under one <see cref="TxnModel"/> over all their keys when they are Txns, else as a register.</summary>
    private static Func<IReadOnlyList<Operation>, long, SearchResult> SearchFor(IReadOnlyList<Operation> ops)
    {
        if (ops.Any(o => o.Type == OpType.Txn))
        {
            var model = TxnModel.For(ops);
            return (history, steps) => LinearizabilitySearch.Check(history, model, steps);
        }
        return (history, steps) => LinearizabilitySearch.Check(history, steps);
    }

    /// <summary>
    /// A sub-history that is still not linearizable, around <paramref name="stuck"/>, to read first (the whole
    /// history is in the report): the ops invoked before it returned (later ones could only be placed after it),
    /// cut to the last ops before it plus the writes they saw when that still fails, then without every
    /// observation (read, failed compare) not needed to fail — dropping an observation only relaxes a history —
    /// and without the writes nothing left refers to that are not needed to fail. Each step is re-checked, and
    /// counts as failing only when the search still gets stuck on the same op: a cut can make an earlier op
    /// unexplainable (a write it needed left out), and that would be a witness of something else.
    /// </summary>
    public static IReadOnlyList<Operation> Witness(IReadOnlyList<Operation> ops, Operation stuck, Func<IReadOnlyList<Operation>, long, SearchResult>? search = null)
    {
        search ??= SearchFor(ops);
        var end = stuck.CompleteNs ?? long.MaxValue;
        var prefix = ops.Where(o => o.Matters && o.InvokeNs <= end).OrderBy(o => o.InvokeNs).ToList();
        var window = prefix.Count <= WitnessWindow ? prefix : WithWritesSeen(prefix, prefix.Skip(prefix.Count - WitnessWindow).ToList());
        List<Operation> current;
        bool Fails(IReadOnlyList<Operation> candidate) => search(candidate, WitnessSteps) is { Outcome: SearchOutcome.NotLinearizable } r && r.Stuck?.Id == stuck.Id;
        if (Fails(window))
        {
            current = window;
        }
        else if (window.Count < prefix.Count && Fails(prefix))
        {
            current = prefix;
        }
        else
        {
            // Not shown to fail within the witness budget: the ops just before the stuck one, unshrunk.
            return window;
        }
        if (current.Count > WitnessWindow)
        {
            // Shrinking op by op would take a search per op: leave it as found.
            return current;
        }
        foreach (var op in current.Where(IsObservation).Reverse().ToList())
        {
            TryRemove(current, op, Fails);
        }
        foreach (var op in current.Where(o => !IsObservation(o)).ToList())
        {
            if (!current.Any(o => o != op && References(o, op)))
            {
                TryRemove(current, op, Fails);
            }
        }
        return current;
    }

    /// <summary>
    /// The ops that overlap the time from the call of the write whose value <paramref name="stuck"/> saw (or its
    /// own call) to its return, with the writes those ops saw: for a stale read, the write it saw, the writes
    /// that replaced it, and what ran beside them.
    /// </summary>
    private static List<Operation> Around(List<Operation> prefix, Operation stuck)
    {
        var from = prefix.Where(o => References(stuck, o)).Select(o => o.InvokeNs).DefaultIfEmpty(stuck.InvokeNs).Min();
        var to = stuck.CompleteNs ?? long.MaxValue;
        return WithWritesSeen(prefix, prefix.Where(o => o.InvokeNs <= to && (o.CompleteNs ?? long.MaxValue) >= from).ToList());
    }

    /// <summary><paramref name="window"/> with the earlier writes whose values its ops read or compared against.</summary>
    private static List<Operation> WithWritesSeen(List<Operation> all, List<Operation> window)
    {
        var seen = window.SelectMany(o => o.Referenced()).ToHashSet();
        return [.. all.Where(o => window.Contains(o) || o.Writes().Any(w => seen.Contains(w.Value!))).OrderBy(o => o.InvokeNs)];
    }

    /// <summary>An op with no effect on the state that only says what the state was: a read, a failed compare, a delete of an absent key, a Txn that put nothing.</summary>
    private static bool IsObservation(Operation op) =>
        op.Type == OpType.Read || op is { Type: OpType.Cas or OpType.CompareAndDelete or OpType.Delete or OpType.Txn, Succeeded: false } || op is { Type: OpType.Txn, Puts: null or [] };

    /// <summary>Whether <paramref name="reader"/> saw or compared against the value <paramref name="writer"/> put (values are unique per write).</summary>
    private static bool References(Operation reader, Operation writer) =>
        writer.Writes().Any(w => reader.Referenced().Contains(w.Value));

    private static void TryRemove(List<Operation> current, Operation op, Func<IReadOnlyList<Operation>, bool> fails)
    {
        var index = current.IndexOf(op);
        current.RemoveAt(index);
        if (!fails(current))
        {
            current.Insert(index, op);
        }
    }
}
