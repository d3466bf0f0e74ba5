using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Http;

/// <summary>
/// What kubectl asks before anything else: /version (minor 31, which keeps kubectl on JSON request bodies),
/// /api, /apis and each group version's resource list, and /openapi/v2 (an empty document: client-side
/// validation is skipped and apply falls back to its built-in strategic-merge metadata).
/// </summary>
internal static class Discovery
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "31",
        ["gitVersion"] = "v1.31.0-statestore",
        ["gitCommit"] = "statestore",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-11-28T00:00:00Z",
        ["goVersion"] = "dotnet" + Environment.Version,
        ["compiler"] = "roslyn",
        ["platform"] = $"{(OperatingSystem.IsLinux() ? "linux" : "other")}/{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}",
    };

    public static JsonObject CoreVersions(HttpContext context) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = context.Request.Host.Value ?? "",
        }),
    };

    public static JsonObject Groups() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. ResourceCatalog.GroupVersions.Where(gv => gv.Group.Length > 0).Select(gv => (JsonNode)Group(gv.Group, gv.Version))]),
    };

    private static JsonObject Group(string group, string version)
    {
        var groupVersion = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray(groupVersion),
            ["preferredVersion"] = groupVersion.DeepClone(),
        };
    }

    /// <summary>The APIResourceList of one group version, or null when it is not served.</summary>
    public static JsonObject? Resources(string group, string version)
    {
        var types = ResourceCatalog.All.Where(r => r.Group == group && r.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }
        var resources = new JsonArray();
        foreach (var type in types)
        {
            resources.Add(Resource(type.Plural, type, ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]));
            foreach (var sub in type.Subresources)
            {
                resources.Add(Subresource(type, sub));
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Resource(string name, ResourceType type, string[] verbs)
    {
        var resource = new JsonObject
        {
            ["name"] = name,
            ["singularName"] = name.Contains('/') ? "" : type.SingularName,
            ["namespaced"] = type.Namespaced,
            ["kind"] = type.Kind,
            ["verbs"] = new JsonArray([.. verbs.Select(v => (JsonNode)v)]),
        };
        if (type.ShortNames.Count > 0 && !name.Contains('/'))
        {
            resource["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)s)]);
        }
        return resource;
    }

    private static JsonObject Subresource(ResourceType type, string sub) => sub switch
    {
        "scale" => Resource($"{type.Plural}/scale", type, ["get", "patch", "update"]) is var scale
            ? WithKind(scale, "Scale", "autoscaling", "v1")
            : throw new InvalidOperationException(),
        "binding" => WithKind(Resource($"{type.Plural}/binding", type, ["create"]), "Binding", null, null),
        "eviction" => WithKind(Resource($"{type.Plural}/eviction", type, ["create"]), "Eviction", "policy", "v1"),
        "log" => Resource($"{type.Plural}/log", type, ["get"]),
        _ => Resource($"{type.Plural}/{sub}", type, ["get", "patch", "update"]),
    };

    private static JsonObject WithKind(JsonObject resource, string kind, string? group, string? version)
    {
        resource["kind"] = kind;
        if (group is not null)
        {
            resource["group"] = group;
            resource["version"] = version;
        }
        return resource;
    }
}
