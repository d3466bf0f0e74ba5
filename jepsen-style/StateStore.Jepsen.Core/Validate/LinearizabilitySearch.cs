using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>How a search over one key's history ended.</summary>
public enum SearchOutcome
{
    Linearizable,
    NotLinearizable,

    /// <summary>The step budget ran out first: neither proven nor refuted.</summary>
    GaveUp,
}

/// <summary>
/// The result of a search: the outcome and, when it is not linearizable, the op the deepest attempt could
/// not place (its answer came before any order of the ops before it could explain it) and how many ops that
/// attempt had placed.
/// </summary>
public sealed record SearchResult(SearchOutcome Outcome, Operation? Stuck, int Deepest, long Steps);

/// <summary>
/// Wing and Gong's linearizability search with Lowe's memoization, as Porcupine implements it: the history
/// becomes a list of call and return events in time order; the search repeatedly picks a call whose op the
/// model accepts in the current state, removes ("lifts") the op's call and return from the list, and
/// backtracks when it meets a return it has not placed. A (set of placed ops, state) pair already seen is not
/// explored again. An Unknown op has no return event: it may be placed any time after its call, or never
/// (placing it after everything else looks the same as never), so the search succeeds once every op that
/// returned is placed. Nor is an Unknown op placed where it would change nothing (a delete of an absent key, a
/// compare that fails): leaving it for later, or never, allows every order that placing it would, without a memo
/// entry for each subset of such ops placed. The sequential specification is a parameter
/// (<see cref="ISequentialModel{TState}"/>): one key's register, or a small map of keys for multi-key transactions.
/// </summary>
public static class LinearizabilitySearch
{
    private sealed class Entry(Operation op, int index, bool isCall, long time)
    {
        public readonly Operation Op = op;
        public readonly int Index = index;
        public readonly bool IsCall = isCall;
        public readonly long Time = time;
        public Entry? Match;
        public Entry? Prev;
        public Entry? Next;
    }

    /// <summary>
    /// Searches for a linearization of <paramref name="ops"/> (one key's ops) as a register (<see cref="RegisterModel"/>) from the absent state. Values are
    /// unique per write, so an Unknown write, Cas or Txn whose value some answered op saw did happen, before that op
    /// answered: it is searched as an op that returned then. An Unknown op nobody saw is left out of a first,
    /// fast search (each may otherwise be placed anywhere after its call, which multiplies the orders to try);
    /// only if that search fails is the history searched with them, since one may explain a failed compare.
    /// </summary>
    public static SearchResult Check(IReadOnlyList<Operation> ops, long maxSteps = 5_000_000) => Check(ops, RegisterModel.Instance, maxSteps);

    /// <summary>The search of <see cref="Check(IReadOnlyList{Operation}, long)"/> under another sequential specification, from its initial state.</summary>
    public static SearchResult Check<TState>(IReadOnlyList<Operation> ops, ISequentialModel<TState> model, long maxSteps = 5_000_000)
    {
        var relevant = Tighten(ops.Where(o => o.Matters && !(o.Type == OpType.Read && o.Outcome == Outcome.Unknown)).ToList());
        var seen = relevant.Where(o => o.Outcome == Outcome.Ok || o.CompleteNs is not null).ToList();
        if (seen.Count < relevant.Count && Search(seen, model, maxSteps) is { Outcome: SearchOutcome.Linearizable } fast)
        {
            return fast;
        }
        return Search(relevant, model, maxSteps);
    }

    /// <summary>Unknown ops that put a value an answered op saw (a write, Cas or Txn), made into ops that returned when the first such op answered.</summary>
    private static List<Operation> Tighten(List<Operation> ops)
    {
        var firstSeen = new Dictionary<string, long>();
        foreach (var op in ops.Where(o => o.CompleteNs is not null))
        {
            foreach (var value in op.Observed())
            {
                firstSeen[value] = Math.Min(firstSeen.GetValueOrDefault(value, long.MaxValue), op.CompleteNs!.Value);
            }
        }
        return ops.Select(o => o.Outcome == Outcome.Unknown && o.Writes().Select(w => firstSeen.GetValueOrDefault(w.Value!, long.MaxValue)).DefaultIfEmpty(long.MaxValue).Min() is var seenBy && seenBy != long.MaxValue
            ? o with { Outcome = Outcome.Ok, CompleteNs = Math.Max(seenBy, o.InvokeNs), Succeeded = o.Type is OpType.Cas or OpType.Txn ? true : null }
            : o).ToList();
    }

    private static SearchResult Search<TState>(List<Operation> relevant, ISequentialModel<TState> model, long maxSteps)
    {
        var head = Build(relevant, out var definite);
        var placed = new Bitset(relevant.Count);
        var seen = new HashSet<(Bitset, TState)>();
        var calls = new Stack<(Entry Entry, TState State)>();
        var state = model.Initial;
        var entry = head.Next;
        long steps = 0;
        var deepest = -1;
        Operation? stuck = null;
        while (definite > 0)
        {
            if (++steps > maxSteps)
            {
                return new SearchResult(SearchOutcome.GaveUp, stuck, deepest, steps);
            }
            if (entry is { IsCall: true })
            {
                if (model.Step(state, entry.Op, out var next) && (entry.Match is not null || !EqualityComparer<TState>.Default.Equals(next, state)))
                {
                    placed.Set(entry.Index);
                    if (seen.Add((placed.Clone(), next)))
                    {
                        calls.Push((entry, state));
                        state = next;
                        definite -= entry.Match is null ? 0 : 1;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }
                    placed.Clear(entry.Index);
                }
                entry = entry.Next;
                continue;
            }
            // A return (or the end) before its op was placed: this prefix of choices cannot be completed.
            if (calls.Count > deepest && entry is not null)
            {
                deepest = calls.Count;
                stuck = entry.Op;
            }
            if (calls.Count == 0)
            {
                return new SearchResult(SearchOutcome.NotLinearizable, stuck, deepest, steps);
            }
            var (top, previous) = calls.Pop();
            state = previous;
            placed.Clear(top.Index);
            definite += top.Match is null ? 0 : 1;
            Unlift(top);
            entry = top.Next;
        }
        return new SearchResult(SearchOutcome.Linearizable, null, relevant.Count, steps);
    }

    /// <summary>The event list behind a sentinel head: calls at invocation, returns at completion, calls first on a tie (the more permissive order).</summary>
    private static Entry Build(List<Operation> ops, out int definite)
    {
        var entries = new List<Entry>(ops.Count * 2);
        definite = 0;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var call = new Entry(op, i, isCall: true, op.InvokeNs);
            entries.Add(call);
            if (op.Outcome == Outcome.Ok)
            {
                call.Match = new Entry(op, i, isCall: false, op.CompleteNs ?? throw new ArgumentException($"{op} is ok but has no completion time"));
                entries.Add(call.Match);
                definite++;
            }
        }
        entries.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.IsCall == b.IsCall ? a.Index.CompareTo(b.Index) : a.IsCall ? -1 : 1);
        var head = new Entry(null!, -1, isCall: false, long.MinValue);
        var last = head;
        foreach (var e in entries)
        {
            last.Next = e;
            e.Prev = last;
            last = e;
        }
        return head;
    }

    private static void Lift(Entry call)
    {
        Remove(call);
        if (call.Match is { } ret)
        {
            Remove(ret);
        }
    }

    private static void Unlift(Entry call)
    {
        // Dancing links: reinsert in the reverse order of removal; each entry kept its own neighbours.
        if (call.Match is { } ret)
        {
            Reinsert(ret);
        }
        Reinsert(call);
    }

    private static void Remove(Entry e)
    {
        e.Prev!.Next = e.Next;
        if (e.Next is not null)
        {
            e.Next.Prev = e.Prev;
        }
    }

    private static void Reinsert(Entry e)
    {
        e.Prev!.Next = e;
        if (e.Next is not null)
        {
            e.Next.Prev = e;
        }
    }
}
