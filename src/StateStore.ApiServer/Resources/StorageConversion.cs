using System.Text.Json.Nodes;

namespace StateStore.ApiServer.Resources;

/// <summary>
/// How a resource served in one version is kept in another's form, as kube-apiserver stores one version and
/// converts on the way in and out: events.k8s.io/v1 Events are core/v1 Events in storage, so both APIs see the
/// same objects. The two forms differ by field names only, so a conversion is a table of renames.
/// </summary>
public sealed class StorageConversion(string storedApiVersion, IReadOnlyList<(string Served, string Stored)> renames)
{
    /// <summary>events.k8s.io/v1 Event ↔ core/v1 Event (Kubernetes' pkg/apis/events/v1 conversion).</summary>
    public static readonly StorageConversion EventsV1 = new("v1",
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ]);

    /// <summary>The stored form of a served object (a new object; the given one is not changed).</summary>
    public JsonObject ToStored(JsonObject served) => Rename(served, storedApiVersion, renames.Select(r => (r.Served, r.Stored)));

    /// <summary>The served form of a stored object, in <paramref name="servedApiVersion"/>.</summary>
    public JsonObject FromStored(JsonObject stored, string servedApiVersion) => Rename(stored, servedApiVersion, renames.Select(r => (r.Stored, r.Served)));

    private static JsonObject Rename(JsonObject obj, string apiVersion, IEnumerable<(string From, string To)> renames)
    {
        var copy = (JsonObject)obj.DeepClone();
        foreach (var (from, to) in renames)
        {
            if (copy.Remove(from, out var value))
            {
                copy[to] = value;
            }
        }
        copy["apiVersion"] = apiVersion;
        return copy;
    }
}
