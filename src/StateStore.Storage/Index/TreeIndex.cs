using StateStore.Kv;

namespace StateStore.Storage.Index;

/// <summary>
/// The ordered index of keys (etcd's treeIndex): key → <see cref="KeyIndex"/>, ordered by unsigned
/// bytes so ranges and prefixes are cheap. Not thread-safe; the store guards it.
/// </summary>
internal sealed class TreeIndex
{
    private static readonly IComparer<KeyIndex> Order = Comparer<KeyIndex>.Create((a, b) => Bytes.Compare(a.Key, b.Key));

    private readonly SortedSet<KeyIndex> _keys;

    public TreeIndex() => _keys = new SortedSet<KeyIndex>(Order);

    private TreeIndex(IEnumerable<KeyIndex> keys) => _keys = new SortedSet<KeyIndex>(keys, Order);

    /// <summary>Builds the index at open from every key's restored versions.</summary>
    public static TreeIndex Restore(IEnumerable<KeyIndex> keys) => new(keys);

    public int Count => _keys.Count;

    public KeyIndex? Get(byte[] key) => _keys.TryGetValue(new KeyIndex(key), out var found) ? found : null;

    public KeyIndex GetOrAdd(byte[] key)
    {
        var probe = new KeyIndex(key);
        if (_keys.TryGetValue(probe, out var found))
        {
            return found;
        }
        _keys.Add(probe);
        return probe;
    }

    public void Add(KeyIndex index) => _keys.Add(index);

    public void Remove(KeyIndex index) => _keys.Remove(index);

    /// <summary>The keys in a range, ascending.</summary>
    public IEnumerable<KeyIndex> InRange(KeyRange range)
    {
        if (range.IsSingleKey)
        {
            var single = Get(range.Start);
            return single is null ? [] : [single];
        }
        if (range.IsEmpty || _keys.Count == 0)
        {
            return [];
        }
        var lower = new KeyIndex(range.Start);
        var max = _keys.Max!;
        if (Order.Compare(lower, max) > 0)
        {
            return [];
        }
        var view = _keys.GetViewBetween(lower, max);
        return range.End is null ? view : TakeBefore(view, range.End);
    }

    private static IEnumerable<KeyIndex> TakeBefore(IEnumerable<KeyIndex> keys, byte[] end)
    {
        foreach (var key in keys)
        {
            if (Bytes.Compare(key.Key, end) >= 0)
            {
                yield break;
            }
            yield return key;
        }
    }

    /// <summary>Every key, ascending.</summary>
    public IEnumerable<KeyIndex> All => _keys;
}
