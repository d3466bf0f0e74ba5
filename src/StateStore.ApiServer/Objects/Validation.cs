using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Objects;

/// <summary>
/// The validation and defaulting Kubernetes applies to the types served: names as DNS labels or subdomains,
/// required fields, unique container names, ports in range, selectors matching their template. A failure is a
/// 422 Invalid with one cause per field, and nothing is written.
/// </summary>
internal static partial class Validation
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    /// <summary>Throws 422 Invalid when the object breaks a rule of its type.</summary>
    public static void Validate(ResourceType type, JsonObject obj)
    {
        var causes = new List<(string, string)>();
        var name = obj.Name() ?? "";
        CheckName(type, name, causes);
        CheckLabels(obj, causes);
        switch (type.Kind)
        {
            case "Pod":
                CheckPodSpec(obj["spec"] as JsonObject, "spec", causes);
                break;
            case "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" when type.Group == "apps":
                CheckWorkload(obj, causes);
                break;
            case "Service" when type.Group.Length == 0:
                CheckService(obj, causes);
                break;
            case "Job":
                CheckJob(obj, causes);
                break;
            case "ConfigMap" or "Secret":
                CheckKeys(obj, ["data", "binaryData"], causes);
                break;
        }
        if (causes.Count > 0)
        {
            throw ApiError.Invalid(type.Kind, type.Group, name, causes);
        }
    }

    private static void CheckName(ResourceType type, string name, List<(string, string)> causes)
    {
        var label = type.Kind is "Namespace" or "Service";
        if (name.Length == 0)
        {
            causes.Add(("metadata.name", "Required value: name or generateName is required"));
        }
        else if (label ? name.Length > 63 || !DnsLabel().IsMatch(name) : name.Length > 253 || !DnsSubdomain().IsMatch(name))
        {
            causes.Add(("metadata.name", label
                ? $"Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                : $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
        }
    }

    private static void CheckLabels(JsonObject obj, List<(string, string)> causes)
    {
        if (obj.Metadata()["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length > 63)
                {
                    causes.Add(($"metadata.labels[{key}]", "Invalid value: must be a string of at most 63 characters"));
                }
            }
        }
    }

    private static void CheckPodSpec(JsonObject? spec, string path, List<(string, string)> causes)
    {
        if (spec?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            causes.Add(($"{path}.containers", "Required value"));
            return;
        }
        var names = new HashSet<string>();
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i] as JsonObject;
            var name = container?.Text("name");
            if (string.IsNullOrEmpty(name))
            {
                causes.Add(($"{path}.containers[{i}].name", "Required value"));
            }
            else if (!names.Add(name))
            {
                causes.Add(($"{path}.containers[{i}].name", $"Duplicate value: \"{name}\""));
            }
            if (string.IsNullOrEmpty(container?.Text("image")))
            {
                causes.Add(($"{path}.containers[{i}].image", "Required value"));
            }
            if (container?["ports"] is JsonArray ports)
            {
                for (var p = 0; p < ports.Count; p++)
                {
                    CheckPort((ports[p] as JsonObject)?["containerPort"], $"{path}.containers[{i}].ports[{p}].containerPort", causes);
                }
            }
        }
    }

    private static void CheckWorkload(JsonObject obj, List<(string, string)> causes)
    {
        var spec = obj["spec"] as JsonObject;
        var template = spec?["template"] as JsonObject;
        CheckPodSpec(template?["spec"] as JsonObject, "spec.template.spec", causes);
        if (spec?["selector"] is not JsonObject selector)
        {
            causes.Add(("spec.selector", "Required value"));
            return;
        }
        var labels = (template?["metadata"] as JsonObject)?["labels"] as JsonObject;
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (labels?[key]?.ToJsonString() != value?.ToJsonString())
                {
                    causes.Add(("spec.template.metadata.labels", $"Invalid value: selector does not match template labels ({key})"));
                }
            }
        }
    }

    private static void CheckJob(JsonObject obj, List<(string, string)> causes)
    {
        var template = (obj["spec"] as JsonObject)?["template"] as JsonObject;
        var podSpec = template?["spec"] as JsonObject;
        CheckPodSpec(podSpec, "spec.template.spec", causes);
        if (podSpec?.Text("restartPolicy") is not ("OnFailure" or "Never"))
        {
            causes.Add(("spec.template.spec.restartPolicy", $"Unsupported value: \"{podSpec?.Text("restartPolicy") ?? ""}\": supported values: \"OnFailure\", \"Never\""));
        }
    }

    /// <summary>ConfigMap and Secret keys: letters, digits, '-', '_' and '.', at most 253 characters, not "." or "..".</summary>
    private static void CheckKeys(JsonObject obj, string[] maps, List<(string, string)> causes)
    {
        foreach (var map in maps)
        {
            foreach (var (key, _) in obj[map] as JsonObject ?? [])
            {
                if (key.Length > 253 || key is "." or ".." || !ConfigKey().IsMatch(key))
                {
                    causes.Add(($"{map}[{key}]", $"Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'"));
                }
            }
        }
    }

    private static void CheckService(JsonObject obj, List<(string, string)> causes)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        var type = spec.Text("type") ?? "ClusterIP";
        if (type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            causes.Add(("spec.type", $"Unsupported value: \"{type}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""));
        }
        if (type == "ExternalName" && string.IsNullOrEmpty(spec.Text("externalName")))
        {
            causes.Add(("spec.externalName", "Required value"));
        }
        var ports = (spec["ports"] as JsonArray ?? []).Select(p => p as JsonObject ?? []).ToList();
        if (ports.Count == 0 && type != "ExternalName" && spec.Text("clusterIP") != "None")
        {
            causes.Add(("spec.ports", "Required value"));
        }
        var names = new HashSet<string>();
        for (var p = 0; p < ports.Count; p++)
        {
            CheckPort(ports[p]["port"], $"spec.ports[{p}].port", causes);
            var name = ports[p].Text("name") ?? "";
            if (ports.Count > 1 && name.Length == 0)
            {
                causes.Add(($"spec.ports[{p}].name", "Required value"));
            }
            else if (name.Length > 0 && !names.Add(name))
            {
                causes.Add(($"spec.ports[{p}].name", $"Duplicate value: \"{name}\""));
            }
            if (ports[p]["nodePort"] is not null && type is "ClusterIP" or "ExternalName")
            {
                causes.Add(($"spec.ports[{p}].nodePort", $"Forbidden: may not be used when `type` is '{type}'"));
            }
        }
    }

    private static void CheckPort(JsonNode? port, string path, List<(string, string)> causes)
    {
        if (port is not JsonValue value || !value.TryGetValue<long>(out var number) || number is < 1 or > 65535)
        {
            causes.Add((path, $"Invalid value: {port?.ToJsonString() ?? "null"}: must be between 1 and 65535, inclusive"));
        }
    }
}
