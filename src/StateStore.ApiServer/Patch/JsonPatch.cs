using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;

namespace StateStore.ApiServer.Patch;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy and test, on JSON pointers (RFC 6901).</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        var document = target.DeepClone();
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op || op["op"]?.GetValue<string>() is not { } name || op["path"]?.GetValue<string>() is not { } path)
            {
                throw ApiError.BadRequest("a JSON patch operation needs \"op\" and \"path\"");
            }
            switch (name)
            {
                case "add": Add(document, path, op["value"]?.DeepClone()); break;
                case "remove": Remove(document, path); break;
                case "replace": Remove(document, path); Add(document, path, op["value"]?.DeepClone()); break;
                case "move": { var from = Get(document, From(op)); Remove(document, From(op)); Add(document, path, from); break; }
                case "copy": Add(document, path, Get(document, From(op))?.DeepClone()); break;
                case "test":
                    if (Get(document, path)?.ToJsonString() != op["value"]?.ToJsonString())
                    {
                        throw new ApiError(422, "Invalid", $"the JSON patch test at {path} failed");
                    }
                    break;
                default: throw ApiError.BadRequest($"unknown JSON patch operation \"{name}\"");
            }
        }
        return document;
    }

    private static string From(JsonObject op) => op["from"]?.GetValue<string>() ?? throw ApiError.BadRequest("a move or copy needs \"from\"");

    private static (JsonNode Parent, string Last) Parent(JsonNode document, string path)
    {
        if (!path.StartsWith('/'))
        {
            throw ApiError.BadRequest($"invalid JSON pointer \"{path}\"");
        }
        var parts = path[1..].Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~")).ToArray();
        var node = document;
        foreach (var part in parts[..^1])
        {
            node = Child(node, part) ?? throw new ApiError(422, "Invalid", $"the JSON patch path {path} does not exist");
        }
        return (node, parts[^1]);
    }

    private static JsonNode? Child(JsonNode node, string part) => node switch
    {
        JsonObject o => o[part],
        JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonNode document, string path) =>
        path.Length == 0 ? document : Parent(document, path) is var (parent, last) ? Child(parent, last) : null;

    private static void Add(JsonNode document, string path, JsonNode? value)
    {
        var (parent, last) = Parent(document, path);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new ApiError(422, "Invalid", $"the JSON patch cannot add at {path}");
        }
    }

    private static void Remove(JsonNode document, string path)
    {
        var (parent, last) = Parent(document, path);
        var removed = parent switch
        {
            JsonObject o => o.Remove(last),
            JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count => RemoveAt(a, i),
            _ => false,
        };
        if (!removed)
        {
            throw new ApiError(422, "Invalid", $"the JSON patch path {path} does not exist");
        }
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }
}
