using System.Text.Json.Nodes;

namespace StateStore.ApiServer.Patch;

/// <summary>
/// JSON merge patch (RFC 7386) and the subset of Kubernetes' strategic merge patch that client-side
/// <c>kubectl apply</c> sends for built-in types: lists of objects with a merge key (containers by name,
/// ports by containerPort, volumeMounts by mountPath…) are merged item by item, <c>$patch: delete</c>
/// removes an item, <c>$patch: replace</c> replaces, and <c>$setElementOrder/…</c> and <c>$retainKeys</c>
/// directives are honoured as far as order and retained keys go.
/// </summary>
internal static class MergePatch
{
    /// <summary>List fields merged by a key in strategic merge patches, with that key.</summary>
    private static readonly Dictionary<string, string> MergeKeys = new()
    {
        ["containers"] = "name", ["initContainers"] = "name", ["ephemeralContainers"] = "name",
        ["env"] = "name", ["volumes"] = "name", ["imagePullSecrets"] = "name",
        ["ports"] = "containerPort", ["volumeMounts"] = "mountPath", ["volumeDevices"] = "devicePath",
        ["tolerations"] = "key", ["conditions"] = "type", ["finalizers"] = "",
    };

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch, bool strategic)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        if (strategic && patchObject["$patch"]?.GetValue<string>() == "replace")
        {
            var replaced = (JsonObject)patchObject.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (strategic && name.StartsWith('$'))
            {
                continue;
            }
            if (value is null)
            {
                result.Remove(name);
            }
            else if (strategic && value is JsonArray list && MergeKeys.TryGetValue(name, out var key) && key.Length > 0 && result[name] is JsonArray current)
            {
                result[name] = MergeList(current, list, key, patchObject[$"$setElementOrder/{name}"] as JsonArray);
            }
            else
            {
                result[name] = Apply(result[name], value, strategic);
            }
        }
        return result;
    }

    private static JsonArray MergeList(JsonArray current, JsonArray patch, string key, JsonArray? order)
    {
        var items = current.Select(i => i?.DeepClone()).ToList();
        foreach (var item in patch)
        {
            var id = (item as JsonObject)?[key]?.ToJsonString();
            var at = id is null ? -1 : items.FindIndex(i => (i as JsonObject)?[key]?.ToJsonString() == id);
            if (item is JsonObject o && o["$patch"]?.GetValue<string>() == "delete")
            {
                if (at >= 0)
                {
                    items.RemoveAt(at);
                }
            }
            else if (at >= 0)
            {
                items[at] = Apply(items[at], item, strategic: true);
            }
            else
            {
                items.Add(Apply(null, item, strategic: true));
            }
        }
        if (order is not null)
        {
            var rank = order.Select((o, i) => ((o as JsonObject)?[key]?.ToJsonString(), i)).Where(p => p.Item1 is not null).ToDictionary(p => p.Item1!, p => p.i);
            items = [.. items.OrderBy(i => rank.TryGetValue((i as JsonObject)?[key]?.ToJsonString() ?? "", out var r) ? r : int.MaxValue)];
        }
        return new JsonArray([.. items]);
    }
}
