namespace StateStore.Raft;

/// <summary>
/// The layout of a member's data folder: its identity file, the MVCC store, the snapshots (hard-linked
/// checkpoints), the Raft log and the cluster configuration.
/// </summary>
internal sealed class MemberPaths(string dataDirectory)
{
    public string Root { get; } = Path.GetFullPath(dataDirectory);

    public string Identity => Path.Combine(Root, "member.json");

    public string Store => Path.Combine(Root, "store");

    /// <summary>A store being swapped in from an installed snapshot.</summary>
    public string NextStore => Path.Combine(Root, "store.next");

    /// <summary>The store being swapped out.</summary>
    public string OldStore => Path.Combine(Root, "store.old");

    public string Snapshots => Path.Combine(Root, "snapshots");

    public string Wal => Path.Combine(Root, "wal");

    public string Members => Path.Combine(Root, "members");

    /// <summary>Where earlier versions spooled a leader's snapshot before unpacking it; now only removed at start (installs unpack as they receive).</summary>
    public string IncomingSnapshot => Path.Combine(Root, "incoming-snapshot.archive");

    public string Snapshot(long index, long term) => Path.Combine(Snapshots, $"{index:D20}-{term}");

    /// <summary>Finishes or rolls back a store swap that a crash interrupted.</summary>
    public void RecoverStoreSwap()
    {
        if (!Directory.Exists(Store) && Directory.Exists(NextStore))
        {
            Directory.Move(NextStore, Store);
        }
        foreach (var leftover in new[] { NextStore, OldStore })
        {
            if (Directory.Exists(leftover))
            {
                Directory.Delete(leftover, recursive: true);
            }
        }
        if (File.Exists(IncomingSnapshot))
        {
            File.Delete(IncomingSnapshot);
        }
        if (Directory.Exists(Snapshots))
        {
            foreach (var partial in Directory.EnumerateDirectories(Snapshots, "*.partial"))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
    }

    /// <summary>The snapshots on disk, oldest first.</summary>
    public IEnumerable<(long Index, long Term, string Path)> ListSnapshots()
    {
        if (!Directory.Exists(Snapshots))
        {
            yield break;
        }
        foreach (var dir in Directory.EnumerateDirectories(Snapshots).Order(StringComparer.Ordinal))
        {
            var parts = System.IO.Path.GetFileName(dir).Split('-');
            if (parts.Length == 2 && long.TryParse(parts[0], out var index) && long.TryParse(parts[1], out var term))
            {
                yield return (index, term, dir);
            }
        }
    }
}
