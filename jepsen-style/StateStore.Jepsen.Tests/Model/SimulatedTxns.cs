using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Tests.Model;

/// <summary>
/// Linearizable multi-key Txn histories made by simulation, as <see cref="SimulatedRegister"/> makes register ones:
/// each op takes effect at a random point between its call and return, and the key map is applied in that order,
/// so the answers are a correct store's. Txns are shaped as the Txn workload's: a read-only snapshot of every key,
/// or compares of one or two keys against values recently held, puts of one or two keys, gets of the rest (every
/// key on failure). None ends Unknown.
/// </summary>
internal static class SimulatedTxns
{
    public static List<Operation> Generate(int seed, int clients, int opsPerClient, int keys = 4)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, keys).Select(k => $"k{k}").ToList();
        var planned = new List<(Operation Op, long Point)>();
        foreach (var (c, i, start, end, point) in SimulatedRegister.Timeline(random, clients, opsPerClient))
        {
            var readOnly = random.Next(100) < 40;
            var puts = readOnly ? [] : names.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select((k, j) => new KeyState(k, $"{c}-{i}-{j}")).ToList();
            var op = new Operation { Id = planned.Count, Process = c, Type = OpType.Txn, Key = "t/", Puts = puts, InvokeNs = start, CompleteNs = end, Outcome = Outcome.Ok };
            planned.Add((op, point));
        }
        var state = names.ToDictionary(k => k, _ => (string?)null);
        var history = new List<Operation>();
        foreach (var (op, _) in planned.OrderBy(p => p.Point))
        {
            // Compare against what the keys hold now, or (one time in three) against a value that is not there.
            var compares = op.Puts!.Count == 0 ? [] : names.OrderBy(_ => random.Next()).Take(random.Next(1, 3))
                .Select(k => new KeyState(k, random.Next(3) == 0 ? "stale" : state[k])).ToList();
            var holds = compares.All(k => state[k.Key] == k.Value);
            var got = holds ? names.Where(k => op.Puts.All(p => p.Key != k)) : names;
            var answered = op with { Compares = compares, Succeeded = holds, Reads = [.. got.Select(k => new KeyState(k, state[k]))] };
            foreach (var put in holds ? op.Puts : [])
            {
                state[put.Key] = put.Value;
            }
            history.Add(answered);
        }
        return [.. history.OrderBy(o => o.InvokeNs)];
    }
}
