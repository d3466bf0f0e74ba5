using System.Diagnostics.CodeAnalysis;

namespace StateStore.Storage;

/// <summary>Exceptions are for bugs and corruption only; expected outcomes are KvResult values.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Corrupt(string what) => throw new StoreCorruptException(what);

    [DoesNotReturn]
    public static T Corrupt<T>(string what) => throw new StoreCorruptException(what);
}

/// <summary>The store's files are damaged or inconsistent; the store refuses to go on.</summary>
public sealed class StoreCorruptException(string message) : Exception($"StateStore data is corrupt: {message}");
