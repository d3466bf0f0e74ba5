using System.Text.Json.Nodes;

namespace StateStore.ApiServer.Objects;

/// <summary>Reading and writing an object's metadata in its JSON form (the API keeps objects as JSON).</summary>
internal static class Meta
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }
        var created = new JsonObject();
        obj["metadata"] = created;
        return created;
    }

    public static string? Text(this JsonObject obj, string property) =>
        obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string? Name(this JsonObject obj) => obj.Metadata().Text("name");

    public static string? Namespace(this JsonObject obj) => obj.Metadata().Text("namespace");

    public static string? ResourceVersion(this JsonObject obj) => obj.Metadata().Text("resourceVersion");

    public static string? Uid(this JsonObject obj) => obj.Metadata().Text("uid");

    public static long Generation(this JsonObject obj) =>
        obj.Metadata()["generation"] is JsonValue value && value.TryGetValue<long>(out var generation) ? generation : 0;

    public static bool IsDeleting(this JsonObject obj) => obj.Metadata()["deletionTimestamp"] is JsonValue;

    public static IReadOnlyList<string> Finalizers(this JsonObject obj) =>
        obj.Metadata()["finalizers"] is JsonArray finalizers ? [.. finalizers.Select(f => f?.GetValue<string>() ?? "")] : [];

    /// <summary>The object's labels (empty when it has none).</summary>
    public static IReadOnlyDictionary<string, string> Labels(this JsonObject obj) =>
        obj.Metadata()["labels"] is JsonObject labels
            ? labels.Where(l => l.Value is JsonValue).ToDictionary(l => l.Key, l => l.Value!.GetValue<string>())
            : new Dictionary<string, string>();

    /// <summary>The value at a dotted path of plain properties (e.g. spec.nodeName), as text; null when absent.</summary>
    public static string? PathText(this JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }
        return node is JsonValue value ? value.ToString() : null;
    }

    /// <summary>RFC 3339 UTC with seconds, as Kubernetes writes timestamps.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
