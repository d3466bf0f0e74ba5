namespace StateStore.Testing;

/// <summary>A per-test deadline, so a hung test fails instead of hanging CI.</summary>
public static class TestTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);

    /// <summary>A token cancelled after <paramref name="timeout"/> (default 60 s).</summary>
    public static CancellationToken Token(TimeSpan? timeout = null) =>
        new CancellationTokenSource(timeout ?? Default).Token;
}
