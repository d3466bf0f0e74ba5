using StateStore.Kv;

namespace StateStore.EtcdApi;

/// <summary>Small questions the gRPC edge asks the store that the contract answers only indirectly.</summary>
internal static class StoreExtensions
{
    private static readonly RangeRequest Probe = new() { Key = [0], CountOnly = true, Serializable = true };

    /// <summary>
    /// The member's current revision, read as a serializable count-only range of one key (its header
    /// revision): cheap, local, and ordered after every write the member has applied.
    /// </summary>
    public static async ValueTask<long> CurrentRevisionAsync(this IKvStore store, CancellationToken cancellationToken)
    {
        var result = await store.RangeAsync(Probe, cancellationToken).ConfigureAwait(false);
        return result.ValueOrThrow().Revision;
    }
}
