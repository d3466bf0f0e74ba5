using StateStore.Kv;
using StateStore.Storage.Faster;

namespace StateStore.Storage.Index;

/// <summary>One stored version of a key as the index knows it: where it lies, and whether it is a deletion.</summary>
internal readonly record struct Revision(long Main, int Sub, bool Tombstone)
{
    public RevisionKey StorageKey => new(Main, Sub);
}

/// <summary>
/// Every stored version of one key, oldest first (etcd's keyIndex, flattened), plus the create
/// revision and version of its live generation so a put needs no storage read.
/// Mutated only under the store's write lock; read under its read lock.
/// </summary>
internal sealed class KeyIndex(byte[] key)
{
    // Empty until the first version: lookups build throwaway probes of this class.
    private Revision[] _revisions = [];

    public byte[] Key { get; } = key;

    /// <summary>How many versions are stored.</summary>
    public int Count { get; private set; }

    /// <summary>The create revision of the live generation (meaningful when <see cref="IsAlive"/>).</summary>
    public long CreateRevision { get; private set; }

    /// <summary>The version of the live generation (meaningful when <see cref="IsAlive"/>).</summary>
    public long Version { get; private set; }

    /// <summary>The lease of the live version (0 for none; meaningful when <see cref="IsAlive"/>).</summary>
    public long Lease { get; private set; }

    public Revision Latest => _revisions[Count - 1];

    /// <summary>True when the newest version is a put.</summary>
    public bool IsAlive => Count > 0 && !Latest.Tombstone;

    public void AddPut(long main, int sub, long lease)
    {
        Lease = lease;
        if (!IsAlive)
        {
            CreateRevision = main;
            Version = 0;
        }
        Version++;
        Add(new Revision(main, sub, Tombstone: false));
    }

    public void AddTombstone(long main, int sub)
    {
        Add(new Revision(main, sub, Tombstone: true));
        CreateRevision = 0;
        Version = 0;
        Lease = 0;
    }

    /// <summary>
    /// Rebuilds a key's index at open from the versions found in storage (any order), with the
    /// create revision and version of the newest one.
    /// </summary>
    public static KeyIndex Restore(byte[] key, List<Revision> revisions, long latestCreateRevision, long latestVersion, long latestLease)
    {
        var index = new KeyIndex(key) { _revisions = [.. revisions] };
        Array.Sort(index._revisions, RevisionOrder.Instance);
        index.Count = index._revisions.Length;
        if (index.IsAlive)
        {
            index.CreateRevision = latestCreateRevision;
            index.Version = latestVersion;
            index.Lease = latestLease;
        }
        return index;
    }

    private void Add(Revision revision)
    {
        if (Count == _revisions.Length)
        {
            Array.Resize(ref _revisions, Math.Max(1, Count * 2));
        }
        _revisions[Count++] = revision;
    }

    /// <summary>The newest version at or below <paramref name="revision"/>, if any.</summary>
    public bool TryGetAt(long revision, out Revision found)
    {
        for (var i = Count - 1; i >= 0; i--)
        {
            if (_revisions[i].Main <= revision)
            {
                found = _revisions[i];
                return true;
            }
        }
        found = default;
        return false;
    }

    /// <summary>The newest put visible at <paramref name="revision"/>, if the key is alive there.</summary>
    public bool TryGetAliveAt(long revision, out Revision found) => TryGetAt(revision, out found) && !found.Tombstone;

    /// <summary>The version stored just before <paramref name="revision"/> (for a watch's prev_kv).</summary>
    public bool TryGetBefore(Revision revision, out Revision found)
    {
        for (var i = Count - 1; i >= 0; i--)
        {
            if (_revisions[i].Main < revision.Main || (_revisions[i].Main == revision.Main && _revisions[i].Sub < revision.Sub))
            {
                found = _revisions[i];
                return true;
            }
        }
        found = default;
        return false;
    }

    /// <summary>Every stored version at or below <paramref name="revision"/>, oldest first.</summary>
    public ReadOnlySpan<Revision> UpTo(long revision)
    {
        var n = Count;
        while (n > 0 && _revisions[n - 1].Main > revision)
        {
            n--;
        }
        return _revisions.AsSpan(0, n);
    }

    /// <summary>
    /// Drops the versions a compaction at <paramref name="compactRevision"/> makes unreachable: all
    /// below the newest version at or below it, and that one too when it is a deletion older than it
    /// (a deletion exactly at the compaction revision stays, so a watch from there still sees it).
    /// </summary>
    public void Compact(long compactRevision, List<RevisionKey> removed)
    {
        var keepFrom = 0;
        for (var i = Count - 1; i >= 0; i--)
        {
            if (_revisions[i].Main <= compactRevision)
            {
                var r = _revisions[i];
                keepFrom = r.Tombstone && r.Main < compactRevision ? i + 1 : i;
                break;
            }
        }
        if (keepFrom == 0)
        {
            return;
        }
        for (var i = 0; i < keepFrom; i++)
        {
            removed.Add(_revisions[i].StorageKey);
        }
        Array.Copy(_revisions, keepFrom, _revisions, 0, Count - keepFrom);
        Count -= keepFrom;
        if (Count < _revisions.Length / 4)
        {
            Array.Resize(ref _revisions, Math.Max(1, Count));
        }
    }

    public override string ToString() => $"{Bytes.Show(Key)}: {string.Join(", ", _revisions.Take(Count))}";

    private sealed class RevisionOrder : IComparer<Revision>
    {
        public static readonly RevisionOrder Instance = new();

        public int Compare(Revision x, Revision y) => x.StorageKey.CompareTo(y.StorageKey);
    }
}
