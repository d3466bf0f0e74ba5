using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Patch;

namespace StateStore.ApiServer.Registry;

internal sealed partial class ResourceRegistry
{
    /// <summary>
    /// PATCH with a JSON merge patch, a strategic merge patch or a JSON patch; other types (server-side apply
    /// among them) are 415. A patch that names a resourceVersion is a precondition, as in Kubernetes.
    /// </summary>
    public async Task<JsonObject> PatchAsync(ApiRequest request)
    {
        var patch = await request.ReadBodyAsync().ConfigureAwait(false) ?? throw ApiError.BadRequest("the patch is empty");
        Func<JsonObject, JsonNode?> apply = request.ContentType switch
        {
            "application/merge-patch+json" => current => MergePatch.Apply(current, patch, strategic: false),
            "application/strategic-merge-patch+json" => current => MergePatch.Apply(current, patch, strategic: true),
            "application/json-patch+json" when patch is JsonArray operations => current => JsonPatch.Apply(current, operations),
            "application/json-patch+json" => throw ApiError.BadRequest("a JSON patch must be an array of operations"),
            var other => throw ApiError.UnsupportedMediaType($"the patch type {other} is not supported (merge-patch, strategic-merge-patch and json-patch are)"),
        };
        var expectedRv = ((patch as JsonObject)?["metadata"] as JsonObject)?.Text("resourceVersion");
        if (request.Subresource == "scale")
        {
            return await PatchScaleAsync(request, apply).ConfigureAwait(false);
        }
        return await ReplaceAsync(request, current => apply(current) as JsonObject
            ?? throw new ApiError(422, "Invalid", "the patched object is not a JSON object"), expectedRv).ConfigureAwait(false);
    }

    /// <summary>The autoscaling/v1 Scale of a deployment, replica set or stateful set.</summary>
    public async Task<JsonObject> GetScaleAsync(ApiRequest request) => ScaleOf(await GetAsync(request).ConfigureAwait(false));

    /// <summary>PUT on /scale: the Scale's spec.replicas becomes the object's.</summary>
    public async Task<JsonObject> UpdateScaleAsync(ApiRequest request)
    {
        var scale = await request.ReadBodyAsync().ConfigureAwait(false) as JsonObject ?? throw ApiError.BadRequest("the body must be a Scale");
        return await ScaleToAsync(request, _ => scale, scale.Metadata().Text("resourceVersion")).ConfigureAwait(false);
    }

    private Task<JsonObject> PatchScaleAsync(ApiRequest request, Func<JsonObject, JsonNode?> apply) =>
        ScaleToAsync(request, current => apply(current) as JsonObject ?? throw new ApiError(422, "Invalid", "the patched Scale is not an object"), null);

    private async Task<JsonObject> ScaleToAsync(ApiRequest request, Func<JsonObject, JsonObject> scaled, string? expectedRv)
    {
        var updated = await ReplaceAsync(request with { Subresource = null }, current =>
        {
            var replicas = (scaled(ScaleOf(current))["spec"] as JsonObject)?["replicas"]
                ?? throw new ApiError(422, "Invalid", "spec.replicas: Required value");
            if (replicas is not JsonValue value || !value.TryGetValue<long>(out var count) || count < 0)
            {
                throw new ApiError(422, "Invalid", $"spec.replicas: Invalid value: {replicas.ToJsonString()}: must be greater than or equal to 0");
            }
            var spec = current["spec"] as JsonObject ?? [];
            spec["replicas"] = count;
            current["spec"] = spec;
            return current;
        }, expectedRv).ConfigureAwait(false);
        return ScaleOf(updated);
    }

    private static JsonObject ScaleOf(JsonObject obj)
    {
        var metadata = obj.Metadata();
        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        var selector = (spec?["selector"] as JsonObject)?["matchLabels"] as JsonObject;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = spec?["replicas"]?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = status?["replicas"]?.DeepClone() ?? 0,
                ["selector"] = selector is null ? "" : string.Join(",", selector.Select(l => $"{l.Key}={l.Value?.GetValue<string>()}")),
            },
        };
    }

    /// <summary>POST pods/{name}/binding: assigns the pod to the Binding's target node, once (the scheduler's bind).</summary>
    public async Task<JsonObject> BindAsync(ApiRequest request)
    {
        var binding = await request.ReadBodyAsync().ConfigureAwait(false) as JsonObject ?? throw ApiError.BadRequest("the body must be a Binding");
        var node = (binding["target"] as JsonObject)?.Text("name") is { Length: > 0 } target ? target : throw new ApiError(422, "Invalid", "target.name: Required value");
        await ReplaceAsync(request, pod =>
        {
            var spec = pod["spec"] as JsonObject ?? [];
            if (spec.Text("nodeName") is { Length: > 0 } assigned)
            {
                throw ApiError.Conflict("pods", "", request.Name!, $"pod {request.Name} is already assigned to node \"{assigned}\"");
            }
            if (pod.IsDeleting())
            {
                throw ApiError.Conflict("pods", "", request.Name!, $"pod {request.Name} is being deleted, cannot be assigned to a host");
            }
            spec["nodeName"] = node;
            pod["spec"] = spec;
            return pod;
        }, null).ConfigureAwait(false);
        return new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 };
    }
}
