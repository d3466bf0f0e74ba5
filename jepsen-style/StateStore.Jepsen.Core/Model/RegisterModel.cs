namespace StateStore.Jepsen.Core.Model;

/// <summary>
/// The sequential specification of one key as a register with compare-and-set and delete, as etcd's robustness
/// model treats a key: the state is the key's value (null while absent). An Unknown op is stepped as "if it happened
/// here": a Cas or compare-and-delete whose compare does not hold then leaves the state unchanged, which is also
/// what not happening at all looks like.
/// </summary>
public sealed class RegisterModel : ISequentialModel<string?>
{
    public static readonly RegisterModel Instance = new();

    private RegisterModel()
    {
    }

    /// <summary>Every key starts absent.</summary>
    public string? Initial => null;

    /// <summary>Whether <paramref name="op"/> can happen in <paramref name="state"/>, and the state after it.</summary>
    public bool Step(string? state, Operation op, out string? next) => StepRegister(state, op, out next);

    /// <summary><see cref="Step"/> as a static method, for the simulated register of the tests.</summary>
    public static bool StepRegister(string? state, Operation op, out string? next)
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
            case OpType.CompareAndDelete:
                // etcd compares a missing key's value as not equal to anything.
                var holds = state is not null && state == op.Expected;
                if (!Answered(op, holds))
                {
                    return false;
                }
                if (holds)
                {
                    next = op.Type == OpType.Cas ? op.Value : null;
                }
                return true;
            case OpType.Delete:
                next = null;
                return Answered(op, state is not null);
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op.Type, "not a register op");
        }
    }

    /// <summary>Whether an op's answer (its Succeeded, when it answered) agrees with what the state says it should be.</summary>
    private static bool Answered(Operation op, bool expected) =>
        op.Outcome != Outcome.Ok || op.Succeeded is not { } succeeded || succeeded == expected;
}
