namespace StateStore.Jepsen.Core.Model;

/// <summary>
/// A sequential specification for the linearizability search (Porcupine's model): the state before any op, and
/// whether an op can happen in a state and what state follows. States are compared by value (the search memoizes
/// on them), so <typeparamref name="TState"/> must have value equality.
/// </summary>
public interface ISequentialModel<TState>
{
    TState Initial { get; }

    /// <summary>Whether <paramref name="op"/> can happen in <paramref name="state"/>, and the state after it. An Unknown op is stepped as if it happened here.</summary>
    bool Step(TState state, Operation op, out TState next);
}
