using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Objects;

/// <summary>
/// What an update may not change, as Kubernetes' update validation says: a pod's spec beyond its images, active
/// deadline and added tolerations (its node is set only through the binding subresource); a workload's selector;
/// a job's selector and template; a service's cluster IP; the data of a ConfigMap or Secret marked immutable, and
/// a Secret's type. A breach is a 422 Invalid naming the field, and nothing is written.
/// </summary>
internal static class UpdateRules
{
    private const string PodSpecForbidden = "Forbidden: pod updates may not change fields other than spec.containers[*].image, " +
        "spec.initContainers[*].image, spec.activeDeadlineSeconds, spec.tolerations (only additions to existing tolerations), " +
        "spec.terminationGracePeriodSeconds";

    public static void Check(ResourceType type, JsonObject current, JsonObject next, string? subresource)
    {
        var causes = new List<(string, string)>();
        switch (type.Kind)
        {
            case "Pod" when subresource != "binding":
                if (!Same(PodSpecWithoutMutables(current), PodSpecWithoutMutables(next)))
                {
                    causes.Add(("spec", PodSpecForbidden));
                }
                break;
            case "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" when type.Group == "apps":
                Immutable(current, next, "spec.selector", causes);
                break;
            case "Job":
                Immutable(current, next, "spec.selector", causes);
                Immutable(current, next, "spec.template", causes);
                break;
            case "Service" when current.PathText("spec.type") != "ExternalName" && next.PathText("spec.type") != "ExternalName":
                Immutable(current, next, "spec.clusterIP", causes);
                break;
            case "ConfigMap" or "Secret":
                if (current["immutable"]?.GetValue<bool>() == true)
                {
                    Immutable(current, next, "immutable", causes);
                    Immutable(current, next, "data", causes, "field is immutable when `immutable` is set");
                    Immutable(current, next, "binaryData", causes, "field is immutable when `immutable` is set");
                }
                if (type.Kind == "Secret")
                {
                    Immutable(current, next, "type", causes);
                }
                break;
        }
        if (causes.Count > 0)
        {
            throw ApiError.Invalid(type.Kind, type.Group, next.Name() ?? "", causes);
        }
    }

    private static void Immutable(JsonObject current, JsonObject next, string path, List<(string, string)> causes, string why = "field is immutable")
    {
        var (before, after) = (At(current, path), At(next, path));
        if (!Same(before, after))
        {
            causes.Add((path, $"Invalid value: {after?.ToJsonString() ?? "null"}: {why}"));
        }
    }

    /// <summary>The pod spec with what an update may change taken out (images, active deadline, grace period, tolerations added).</summary>
    private static JsonObject? PodSpecWithoutMutables(JsonObject pod)
    {
        if (pod["spec"]?.DeepClone() is not JsonObject spec)
        {
            return null;
        }
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                container.Remove("image");
            }
        }
        spec.Remove("activeDeadlineSeconds");
        spec.Remove("terminationGracePeriodSeconds");
        spec.Remove("tolerations");
        return spec;
    }

    private static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = (node as JsonObject)?[part];
        }
        return node;
    }

    private static bool Same(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);
}
