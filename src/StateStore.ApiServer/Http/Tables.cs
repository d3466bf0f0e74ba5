using System.Globalization;
using System.Text.Json.Nodes;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Http;

/// <summary>
/// The Table form of a list or an object (what <c>kubectl get</c> asks for with <c>as=Table</c>): the
/// columns kubectl users expect for pods, nodes, deployments, replica sets, services and namespaces,
/// Name and Age for everything else.
/// </summary>
internal static class Tables
{
    private sealed record Column(string Name, string Type, Func<JsonObject, JsonNode?> Cell, string Format = "");

    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Of(ResourceType type, IEnumerable<JsonObject> objects, string resourceVersion, DateTimeOffset now)
    {
        var columns = ColumnsOf(type.Kind, now);
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format, ["description"] = "", ["priority"] = 0,
            })]),
            ["rows"] = new JsonArray([.. objects.Select(o => (JsonNode)new JsonObject
            {
                ["cells"] = new JsonArray([.. columns.Select(c => c.Cell(o))]),
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = o.Metadata().DeepClone(),
                },
            })]),
        };
    }

    /// <summary>One object as a one-row Table (a get, or a watch event for kubectl get -w).</summary>
    public static JsonObject Of(ResourceType type, JsonObject obj) =>
        Of(type, [obj], obj.ResourceVersion() ?? "", DateTimeOffset.UtcNow);

    private static List<Column> ColumnsOf(string kind, DateTimeOffset now)
    {
        var name = new Column("Name", "string", o => o.Name(), "name");
        var age = new Column("Age", "string", o => Age(o, now));
        return kind switch
        {
            "Pod" =>
            [
                name,
                new("Ready", "string", o => $"{Statuses(o).Count(s => s["ready"]?.GetValue<bool>() == true)}/{(o["spec"]?["containers"] as JsonArray)?.Count ?? 0}"),
                new("Status", "string", o => o.IsDeleting() ? "Terminating" : o.PathText("status.phase") ?? "Pending"),
                new("Restarts", "integer", o => Statuses(o).Sum(s => s["restartCount"]?.GetValue<long>() ?? 0)),
                age,
            ],
            "Node" =>
            [
                name,
                new("Status", "string", NodeStatus),
                new("Roles", "string", _ => "<none>"),
                age,
                new("Version", "string", o => o.PathText("status.nodeInfo.kubeletVersion") ?? ""),
            ],
            "Deployment" =>
            [
                name,
                new("Ready", "string", o => $"{Number(o, "status.readyReplicas")}/{Number(o, "spec.replicas")}"),
                new("Up-to-date", "integer", o => Number(o, "status.updatedReplicas")),
                new("Available", "integer", o => Number(o, "status.availableReplicas")),
                age,
            ],
            "ReplicaSet" =>
            [
                name,
                new("Desired", "integer", o => Number(o, "spec.replicas")),
                new("Current", "integer", o => Number(o, "status.replicas")),
                new("Ready", "integer", o => Number(o, "status.readyReplicas")),
                age,
            ],
            "Service" =>
            [
                name,
                new("Type", "string", o => o.PathText("spec.type") ?? "ClusterIP"),
                new("Cluster-IP", "string", o => o.PathText("spec.clusterIP") ?? "<none>"),
                new("External-IP", "string", _ => "<none>"),
                new("Port(s)", "string", ServicePorts),
                age,
            ],
            "Namespace" => [name, new("Status", "string", o => o.PathText("status.phase") ?? "Active"), age],
            "ConfigMap" => [name, new("Data", "integer", o => Count(o, "data") + Count(o, "binaryData")), age],
            "Secret" => [name, new("Type", "string", o => o.Text("type") ?? "Opaque"), new("Data", "integer", o => Count(o, "data")), age],
            _ => [name, age],
        };
    }

    private static IEnumerable<JsonObject> Statuses(JsonObject pod) =>
        ((pod["status"] as JsonObject)?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>();

    private static int Count(JsonObject o, string property) => (o[property] as JsonObject)?.Count ?? 0;

    private static long Number(JsonObject o, string path) =>
        long.TryParse(o.PathText(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static JsonNode NodeStatus(JsonObject node)
    {
        var ready = ((node["status"] as JsonObject)?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c.Text("type") == "Ready");
        var status = ready?.Text("status") switch { "True" => "Ready", "False" => "NotReady", _ => "Unknown" };
        return node.PathText("spec.unschedulable") == "true" ? $"{status},SchedulingDisabled" : status;
    }

    private static JsonNode ServicePorts(JsonObject service)
    {
        var ports = ((service["spec"] as JsonObject)?["ports"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(p => $"{p["port"]}/{p.Text("protocol") ?? "TCP"}").ToList();
        return ports.Count == 0 ? "<none>" : string.Join(",", ports);
    }

    /// <summary>Kubernetes' short human duration since creation: 42s, 5m, 3h, 2d.</summary>
    private static JsonNode Age(JsonObject o, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(o.Metadata().Text("creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }
        var age = now - created;
        return age.TotalSeconds < 1 ? "0s"
            : age.TotalSeconds < 120 ? $"{(int)age.TotalSeconds}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
