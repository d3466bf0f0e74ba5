namespace StateStore.Jepsen.Core.Model;

/// <summary>
/// The sequential specification of one key as a register with compare-and-set, as etcd's robustness model
/// treats a key: the state is the key's value (null while absent). An Unknown op is stepped as "if it happened
/// here": a Cas whose compare does not hold then leaves the state unchanged, which is also what not happening
/// at all looks like.
/// </summary>
public static class RegisterModel
{
    /// <summary>Whether <paramref name="op"/> can happen in <paramref name="state"/>, and the state after it.</summary>
    public static bool Step(string? state, Operation op, out string? next)
    {
        next = state;
        switch (op.Type)
        {
            case OpType.Read:
                return op.Outcome != Outcome.Ok || state == op.Value;
            case OpType.Write:
                next = op.Value;
                return true;
            case OpType.Cas:
                // etcd compares a missing key's value as not equal to anything.
                var holds = state is not null && state == op.Expected;
                if (op.Outcome == Outcome.Ok && op.Succeeded is { } succeeded && succeeded != holds)
                {
                    return false;
                }
                if (holds)
                {
                    next = op.Value;
                }
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Type, "unknown op type");
        }
    }
}
