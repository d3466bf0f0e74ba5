using StateStore.Kv;
using Xunit;

namespace StateStore.Testing;

/// <summary>Assertions over key-value results that print keys and values readably when they fail.</summary>
public static class KvAssert
{
    /// <summary>Asserts Ok and returns the value.</summary>
    public static T Ok<T>(KvResult<T> result)
    {
        Assert.True(result.IsOk, $"expected Ok, got {result.Status}: {result.Error}");
        return result.Value;
    }

    /// <summary>Asserts a failure with exactly this status.</summary>
    public static void Fails<T>(KvStatus expected, KvResult<T> result) =>
        Assert.True(result.Status == expected, $"expected {expected}, got {result}");

    /// <summary>The version of a key a read should return.</summary>
    public static KeyValue Entry(string key, string value, long create, long mod, long version, long lease = 0) =>
        new(Bytes.Of(key), Bytes.Of(value), create, mod, version, lease);

    public static void AssertKv(KeyValue? kv, string key, string value, long create, long mod, long version, long lease = 0) =>
        AssertKv(kv, Entry(key, value, create, mod, version, lease));

    public static void AssertKv(KeyValue? actual, KeyValue expected)
    {
        Assert.NotNull(actual);
        Assert.True(expected.Equals(actual), $"expected {expected}, got {actual}");
    }

    /// <summary>Asserts the kvs, in order, field by field.</summary>
    public static void AssertKvs(IReadOnlyList<KeyValue> actual, params KeyValue[] expected)
    {
        Assert.True(
            expected.Length == actual.Count && expected.Zip(actual).All(p => p.First.Equals(p.Second)),
            $"expected [{string.Join(", ", expected.AsEnumerable())}], got [{string.Join(", ", actual)}]");
    }

    /// <summary>Asserts the keys of the kvs, in order (written "k1,k2", empty for none).</summary>
    public static void AssertKeys(IReadOnlyList<KeyValue> actual, string expected) =>
        Assert.Equal(expected, string.Join(",", actual.Select(kv => Bytes.Show(kv.Key))));

    /// <summary>A put event as a watch delivers it.</summary>
    public static WatchEvent PutEvent(KeyValue kv, KeyValue? prev = null) => new(EventType.Put, kv, prev);

    /// <summary>A delete event: the key, the deleting revision as ModRevision, everything else empty.</summary>
    public static WatchEvent DeleteEvent(string key, long revision, KeyValue? prev = null) =>
        DeleteEvent(Bytes.Of(key), revision, prev);

    public static WatchEvent DeleteEvent(byte[] key, long revision, KeyValue? prev = null) =>
        new(EventType.Delete, new KeyValue(key, Bytes.Empty, 0, revision, 0, 0), prev);

    /// <summary>Asserts the events, in order, and names the first one that differs.</summary>
    public static void AssertEvents(IReadOnlyList<WatchEvent> actual, params WatchEvent[] expected) =>
        AssertSameEvents(expected, actual);

    public static void AssertSameEvents(IReadOnlyList<WatchEvent> expected, IReadOnlyList<WatchEvent> actual)
    {
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            Assert.True(
                expected[i].Equals(actual[i]),
                $"event #{i} of {expected.Count}: expected {Show(expected[i])}, got {Show(actual[i])}");
        }
        if (expected.Count != actual.Count)
        {
            Assert.Fail(
                $"expected {expected.Count} events, got {actual.Count}; "
                + (actual.Count > expected.Count ? $"first extra: {Show(actual[expected.Count])}" : $"first missing: {Show(expected[actual.Count])}"));
        }
    }

    public static string Show(WatchEvent e) => $"{e.Type} {e.Kv}" + (e.PrevKv is null ? "" : $" prev {e.PrevKv}");
}
