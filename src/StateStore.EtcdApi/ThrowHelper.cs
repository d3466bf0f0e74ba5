using System.Diagnostics.CodeAnalysis;

namespace StateStore.EtcdApi;

/// <summary>Exceptions for bugs: the store broke its contract (expected failures are values, see <see cref="Errors"/>).</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static T Broken<T>(string what) => throw new InvalidOperationException("IKvStore contract broken: " + what);
}
