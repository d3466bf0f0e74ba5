using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>
/// One broken guarantee: which check found it (linearizable, ordered, unique, atomic, reliable, resumable,
/// acknowledged-write, committed-history, final-state, converged), what it saw, and the ops that show it.
/// </summary>
public sealed record Violation(string Check, string Detail, IReadOnlyList<Operation>? SubHistory = null)
{
    public override string ToString() => $"[{Check}] {Detail}";
}
