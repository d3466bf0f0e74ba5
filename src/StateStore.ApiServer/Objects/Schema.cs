using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Objects;

/// <summary>What the server does with fields its types do not have (the fieldValidation query parameter).</summary>
internal enum FieldValidation
{
    /// <summary>Drop them silently.</summary>
    Ignore,

    /// <summary>Drop them and say so in a Warning header (the default, as in Kubernetes 1.27+).</summary>
    Warn,

    /// <summary>Refuse the request with 400 BadRequest "strict decoding error".</summary>
    Strict,
}

/// <summary>
/// The Kubernetes type system, taken from the official client's model types (k8s.Models) rather than written
/// again: every object written is decoded into its model type and encoded back, as kube-apiserver decodes into
/// its Go structs. So a value of the wrong type is a 400, fields the type does not have are dropped (with a
/// warning, or refused under fieldValidation=Strict), and quantities come out canonical ("1000m" → "1").
/// </summary>
internal static class Schema
{
    private static readonly Dictionary<(string ApiVersion, string Kind), Type> Models = typeof(V1Pod).Assembly.GetTypes()
        .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(t => t.Entity is not null && ResourceCatalog.All.Any(r => r.Kind == t.Entity.Kind && r.ApiVersion == ApiVersionOf(t.Entity)))
        .ToDictionary(t => (ApiVersionOf(t.Entity!), t.Entity!.Kind), t => t.Type);

    private static readonly Dictionary<(string ApiVersion, string Kind), Func<JsonNode, object?>> Decoders = Models.ToDictionary(
        m => m.Key,
        m => typeof(Schema).GetMethod(nameof(DecodeAs), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(m.Value).CreateDelegate<Func<JsonNode, object?>>());

    /// <summary>The model type a served resource is decoded into; null for none (every catalog entry has one).</summary>
    public static Type? ModelOf(ResourceType type) => Models.GetValueOrDefault((type.ApiVersion, type.Kind));

    /// <summary>
    /// <paramref name="obj"/> as its model type sees it: a 400 when a value has the wrong type; fields the type does
    /// not have are dropped, reported through <paramref name="warn"/> or refused, as <paramref name="validation"/> says.
    /// </summary>
    public static JsonObject Decode(ResourceType type, JsonObject obj, FieldValidation validation, Action<string> warn)
    {
        if (!Decoders.TryGetValue((type.ApiVersion, type.Kind), out var decode))
        {
            throw ApiError.Internal($"no model type for {type.ApiVersion} {type.Kind}");
        }
        object? model;
        try
        {
            model = decode(obj);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            var path = e is JsonException { Path: { } p } ? p.TrimStart('$').TrimStart('.') : "";
            throw ApiError.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: " +
                (path.Length > 0 ? $"the value of \"{path}\" has the wrong type" : e.Message));
        }
        var decoded = JsonNode.Parse(KubernetesJson.Serialize(model)) as JsonObject ?? throw ApiError.BadRequest("the request body must be a JSON object");
        var unknown = new List<string>();
        Unknown(obj, decoded, "", unknown);
        if (unknown.Count > 0)
        {
            if (validation == FieldValidation.Strict)
            {
                throw ApiError.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: " +
                    string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")));
            }
            if (validation == FieldValidation.Warn)
            {
                unknown.ForEach(u => warn($"unknown field \"{u}\""));
            }
        }
        return decoded;
    }

    /// <summary>The fieldValidation query parameter: Ignore, Warn (also when absent) or Strict.</summary>
    public static FieldValidation ParseValidation(string? text) => text switch
    {
        null or "" or "Warn" => FieldValidation.Warn,
        "Strict" => FieldValidation.Strict,
        "Ignore" => FieldValidation.Ignore,
        _ => throw ApiError.BadRequest($"fieldValidation must be one of Ignore, Warn or Strict, not \"{text}\""),
    };

    /// <summary>Every non-null field of <paramref name="given"/> that the decoded form lost, as a dotted path.</summary>
    private static void Unknown(JsonNode given, JsonNode? decoded, string path, List<string> unknown)
    {
        switch (given)
        {
            case JsonObject fields when decoded is JsonObject kept:
                foreach (var (name, value) in fields)
                {
                    var at = path.Length == 0 ? name : $"{path}.{name}";
                    if (value is null)
                    {
                        continue;
                    }
                    if (!kept.TryGetPropertyValue(name, out var keptValue))
                    {
                        unknown.Add(at);
                    }
                    else
                    {
                        Unknown(value, keptValue, at, unknown);
                    }
                }
                break;
            case JsonArray items when decoded is JsonArray keptItems:
                for (var i = 0; i < items.Count && i < keptItems.Count; i++)
                {
                    if (items[i] is { } item)
                    {
                        Unknown(item, keptItems[i], $"{path}[{i}]", unknown);
                    }
                }
                break;
        }
    }

    private static object? DecodeAs<T>(JsonNode node)
        where T : class => KubernetesJson.Deserialize<T>(node);

    private static string ApiVersionOf(KubernetesEntityAttribute entity) =>
        string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
}
