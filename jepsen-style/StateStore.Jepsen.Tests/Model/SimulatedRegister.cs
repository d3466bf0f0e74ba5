using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Tests.Model;

/// <summary>
/// Linearizable histories made by simulation: each client runs ops one after another; an op takes effect at a
/// random point between its invocation and completion, and the register is applied in that order, so the
/// recorded answers are those of a correct store. Some writes end Unknown, having taken effect or not.
/// Also returns the committed history such a store's watch would show (one revision per change, from 2). With
/// <paramref name="deletes"/> the clients also delete and compare-and-delete (always answered: only puts end Unknown).
/// </summary>
internal static class SimulatedRegister
{
    public static (List<Operation> History, List<WatchEvent> Committed) Generate(int seed, int clients, int opsPerClient, double unknownRate = 0.02, bool deletes = false)
    {
        var random = new Random(seed);
        var planned = new List<(Operation Op, long Point, bool Happens)>();
        var id = 0;
        var process = 0;
        foreach (var (c, i, start, end, point) in Timeline(random, clients, opsPerClient))
        {
            process = i == 0 ? c : process;
            var type = (OpType)random.Next(deletes ? 5 : 3);
            var unknown = type is OpType.Write or OpType.Cas && random.NextDouble() < unknownRate;
            var op = new Operation
            {
                Id = id++, Process = process, Type = type, Key = "x", Value = type is OpType.Write or OpType.Cas ? $"{c}-{i}" : null,
                InvokeNs = start, CompleteNs = unknown ? null : end, Outcome = unknown ? Outcome.Unknown : Outcome.Ok,
            };
            planned.Add((op, point, !unknown || random.Next(2) == 0));
            process = unknown ? process + clients : process;
        }
        string? state = null;
        var history = new List<Operation>();
        var committed = new List<WatchEvent>();
        foreach (var (op, _, happens) in planned.OrderBy(p => p.Point))
        {
            var result = op;
            if (op.Type is OpType.Cas or OpType.CompareAndDelete)
            {
                // Compare against a value the register held recently, so that some compares hold.
                result = op with { Expected = state ?? "none" };
                if (random.Next(3) == 0)
                {
                    result = result with { Expected = "stale" };
                }
            }
            if (happens)
            {
                RegisterModel.StepRegister(state, result with { Outcome = Outcome.Unknown }, out var next);
                result = result.Type switch
                {
                    OpType.Read => result with { Value = state },
                    OpType.Cas or OpType.CompareAndDelete when result.Outcome == Outcome.Ok => result with { Succeeded = state is not null && state == result.Expected },
                    OpType.Delete when result.Outcome == Outcome.Ok => result with { Succeeded = state is not null },
                    _ => result,
                };
                if (next != state)
                {
                    committed.Add(new WatchEvent(committed.Count + 2, result.Key, next is null, next));
                }
                state = next;
            }
            if (result.Outcome == Outcome.Ok)
            {
                // The answer's header revision: the store's revision once the op was applied, as etcd reports it.
                result = result with { Revision = committed.Count + 1 };
            }
            history.Add(result);
        }
        return ([.. history.OrderBy(o => o.InvokeNs)], committed);
    }

    /// <summary>Each client's ops one after another, lazily: the client, the op's index, its call and return, and the point between them at which it takes effect.</summary>
    public static IEnumerable<(int Client, int Index, long Start, long End, long Point)> Timeline(Random random, int clients, int opsPerClient)
    {
        for (var c = 0; c < clients; c++)
        {
            long t = random.Next(0, 10);
            for (var i = 0; i < opsPerClient; i++)
            {
                var start = t + random.Next(1, 5);
                var end = start + random.Next(1, 30);
                yield return (c, i, start, end, random.NextInt64(start, end));
                t = end;
            }
        }
    }
}
