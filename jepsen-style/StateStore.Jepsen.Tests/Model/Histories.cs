using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Tests.Model;

/// <summary>Hand-written histories: times in milliseconds, a null end for an op whose answer never came.</summary>
internal sealed class Histories
{
    private readonly List<Operation> _ops = [];

    public IReadOnlyList<Operation> Ops => _ops;

    public Histories Write(int process, string key, string value, long start, long? end) =>
        Add(process, OpType.Write, key, value, null, null, start, end);

    public Histories Read(int process, string key, string? value, long start, long end) =>
        Add(process, OpType.Read, key, value, null, null, start, end);

    public Histories Cas(int process, string key, string expected, string value, bool? succeeded, long start, long? end) =>
        Add(process, OpType.Cas, key, value, expected, succeeded, start, end);

    /// <summary>A delete; <paramref name="existed"/> is its answer: whether it found the key.</summary>
    public Histories Delete(int process, string key, bool? existed, long start, long? end) =>
        Add(process, OpType.Delete, key, null, null, existed, start, end);

    public Histories CompareAndDelete(int process, string key, string expected, bool? succeeded, long start, long? end) =>
        Add(process, OpType.CompareAndDelete, key, null, expected, succeeded, start, end);

    /// <summary>
    /// A multi-key Txn recorded under the key "t/": <paramref name="compares"/> and <paramref name="puts"/> as
    /// "k0=a k1=nil", <paramref name="reads"/> likewise (what its gets returned; null while unanswered).
    /// </summary>
    public Histories Txn(int process, string compares, string puts, bool? succeeded, string? reads, long start, long? end)
    {
        Add(process, OpType.Txn, "t/", null, null, succeeded, start, end);
        _ops[^1] = _ops[^1] with { Compares = Pairs(compares), Puts = Pairs(puts), Reads = end is null || reads is null ? null : Pairs(reads) };
        return this;
    }

    private static List<KeyState> Pairs(string pairs) =>
        [.. pairs.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).Select(p => new KeyState(p[0], p[1] == "nil" ? null : p[1]))];

    private Histories Add(int process, OpType type, string key, string? value, string? expected, bool? succeeded, long start, long? end)
    {
        _ops.Add(new Operation
        {
            Id = _ops.Count,
            Process = process,
            Type = type,
            Key = key,
            Value = value,
            Expected = expected,
            Succeeded = end is null ? null : succeeded,
            InvokeNs = start * 1_000_000,
            CompleteNs = end * 1_000_000,
            Outcome = end is null ? Outcome.Unknown : Outcome.Ok,
            Revision = 0,
        });
        return this;
    }
}
