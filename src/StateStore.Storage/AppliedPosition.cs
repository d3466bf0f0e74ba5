namespace StateStore.Storage;

/// <summary>
/// The position in the replicated log that a store's state corresponds to: the index and term of the
/// last entry applied (zeros for a store that no log feeds).
/// </summary>
public readonly record struct AppliedPosition(long Index, long Term);
