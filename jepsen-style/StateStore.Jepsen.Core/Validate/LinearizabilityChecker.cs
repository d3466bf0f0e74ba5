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
/// Checks a register history for linearizability key by key (a history is linearizable iff each key's is,
/// for single-key ops), and on a violation shrinks the failing key's history to a witness.
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
        var result = LinearizabilitySearch.Check(ops, maxSteps);
        if (result.Outcome != SearchOutcome.NotLinearizable)
        {
            return new KeyVerdict(key, result.Outcome, ops.Count, null, []);
        }
        return new KeyVerdict(key, result.Outcome, ops.Count, result.Stuck, Witness(ops, result.Stuck!));
    }

    /// <summary>
    /// A sub-history that is still not linearizable, around <paramref name="stuck"/>: the ops invoked before it
    /// returned (later ones could only be placed after it), cut to a window before it when that still fails,
    /// then without every observation (read, failed compare) that is not needed to fail — dropping an
    /// observation only relaxes a history — and without the earliest writes nothing left refers to.
    /// </summary>
    public static IReadOnlyList<Operation> Witness(IReadOnlyList<Operation> ops, Operation stuck)
    {
        var end = stuck.CompleteNs ?? long.MaxValue;
        var current = ops.Where(o => o.Matters && o.InvokeNs <= end).OrderBy(o => o.InvokeNs).ToList();
        if (!Fails(current))
        {
            return ops;
        }
        if (current.Count > WitnessWindow && current.Skip(current.Count - WitnessWindow).ToList() is var window && Fails(window))
        {
            current = window;
        }
        foreach (var op in current.Where(IsObservation).Reverse().ToList())
        {
            TryRemove(current, op);
        }
        foreach (var op in current.Where(o => !IsObservation(o)).ToList())
        {
            if (!current.Any(o => o != op && References(o, op)))
            {
                TryRemove(current, op);
            }
        }
        return current;
    }

    private static bool IsObservation(Operation op) => op.Type == OpType.Read || op is { Type: OpType.Cas, Succeeded: false };

    /// <summary>Whether <paramref name="reader"/> saw or compared against the value <paramref name="writer"/> put (values are unique per write).</summary>
    private static bool References(Operation reader, Operation writer) =>
        writer.Type != OpType.Read && writer.Value is not null && (reader.Type == OpType.Read ? reader.Value : reader.Expected) == writer.Value;

    private static void TryRemove(List<Operation> current, Operation op)
    {
        var index = current.IndexOf(op);
        current.RemoveAt(index);
        if (!Fails(current))
        {
            current.Insert(index, op);
        }
    }

    private static bool Fails(IReadOnlyList<Operation> ops) => LinearizabilitySearch.Check(ops, WitnessSteps).Outcome == SearchOutcome.NotLinearizable;
}
