namespace StateStore.Storage;

/// <summary>Where and how an <see cref="MvccStore"/> keeps its data.</summary>
public sealed record MvccStoreOptions
{
    /// <summary>The folder holding the FASTER log and checkpoints. Created when missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>log2 of the bytes of records FASTER keeps in memory; older pages spill to disk.</summary>
    public int LogMemorySizeBits { get; init; } = 28;

    /// <summary>log2 of a FASTER log page; a record (≤ 1.5 MiB request) must fit in one page.</summary>
    public int LogPageSizeBits { get; init; } = 22;

    /// <summary>log2 of the bytes of FASTER's hash index (64-byte buckets of 7 entries).</summary>
    public int IndexSizeBits { get; init; } = 24;

    /// <summary>Deliveries (revisions) a watcher may have queued before it moves to catching up from storage.</summary>
    public int WatcherQueueLimit { get; init; } = 1024;

    /// <summary>Settings for a test: small memory so spills to disk actually happen.</summary>
    public static MvccStoreOptions ForTests(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        LogMemorySizeBits = 24,
        LogPageSizeBits = 22,
        IndexSizeBits = 20,
    };
}
