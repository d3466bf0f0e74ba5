using System.Text.Json.Nodes;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Objects;

/// <summary>
/// The defaults Kubernetes gives the types served (its defaulting functions and the admission plugins every
/// cluster runs): applied on every write, so a created and an updated object read the same.
/// </summary>
internal static class Defaults
{
    /// <summary>Kubernetes' defaults for a new object of the types that need them.</summary>
    public static void Apply(ResourceType type, JsonObject obj)
    {
        switch (type.Kind)
        {
            case "Pod" when type.Group.Length == 0:
                Status(obj)["phase"] ??= "Pending";
                PodSpec(obj["spec"] as JsonObject);
                break;
            case "Namespace":
                Status(obj)["phase"] ??= "Active";
                break;
            case "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" when type.Group == "apps" && obj["spec"] is JsonObject spec:
                Workload(type.Kind, spec);
                break;
            case "Job" when obj["spec"] is JsonObject spec:
                spec["parallelism"] ??= 1;
                spec["completions"] ??= spec["parallelism"]?.DeepClone();
                spec["backoffLimit"] ??= 6;
                spec["completionMode"] ??= "NonIndexed";
                spec["suspend"] ??= false;
                PodSpec((spec["template"] as JsonObject)?["spec"] as JsonObject, restartPolicy: null);
                break;
            case "Service" when type.Group.Length == 0 && obj["spec"] is JsonObject spec:
                DefaultService(spec);
                break;
            case "Secret" when obj["stringData"] is JsonObject stringData:
                // stringData is write-only: it lands in data, base64-encoded, and is never stored.
                var data = obj["data"] as JsonObject ?? [];
                foreach (var (key, value) in stringData)
                {
                    data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
                }
                obj["data"] = data;
                obj.Remove("stringData");
                break;
        }
    }

    /// <summary>
    /// A pod spec's defaults: restart policy, DNS policy, scheduler, grace period, image pull policy (Always for
    /// :latest or no tag), termination message, and the DefaultTolerationSeconds admission plugin's 300 s
    /// tolerations of not-ready and unreachable nodes, which decide when the node lifecycle controller evicts.
    /// </summary>
    private static void PodSpec(JsonObject? spec, string? restartPolicy = "Always")
    {
        if (spec is null)
        {
            return;
        }
        if (restartPolicy is not null)
        {
            spec["restartPolicy"] ??= restartPolicy;
        }
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["securityContext"] ??= new JsonObject();
        spec["enableServiceLinks"] ??= true;
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                var image = container.Text("image") ?? "";
                var tag = image.Contains('@') ? "digest" : image.LastIndexOf(':') > image.LastIndexOf('/') ? image[(image.LastIndexOf(':') + 1)..] : "latest";
                container["imagePullPolicy"] ??= tag == "latest" ? "Always" : "IfNotPresent";
                container["terminationMessagePath"] ??= "/dev/termination-log";
                container["terminationMessagePolicy"] ??= "File";
                container["resources"] ??= new JsonObject();
                foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    port["protocol"] ??= "TCP";
                }
            }
        }
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        foreach (var taint in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            if (!tolerations.OfType<JsonObject>().Any(t => t.Text("key") == taint || (t.Text("key") is null && t.Text("operator") == "Exists")))
            {
                tolerations.Add(new JsonObject { ["key"] = taint, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
            }
        }
        spec["tolerations"] = tolerations;
    }

    /// <summary>Replicas, update strategy and history for the apps/v1 workloads, and pod defaults for their template.</summary>
    private static void Workload(string kind, JsonObject spec)
    {
        if (kind != "DaemonSet")
        {
            spec["replicas"] ??= 1;
        }
        spec["revisionHistoryLimit"] ??= 10;
        switch (kind)
        {
            case "Deployment":
                spec["strategy"] ??= new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = "25%", ["maxSurge"] = "25%" } };
                spec["progressDeadlineSeconds"] ??= 600;
                break;
            case "StatefulSet":
                spec["podManagementPolicy"] ??= "OrderedReady";
                spec["updateStrategy"] ??= new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["partition"] = 0 } };
                break;
            case "DaemonSet":
                spec["updateStrategy"] ??= new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1, ["maxSurge"] = 0 } };
                break;
        }
        PodSpec((spec["template"] as JsonObject)?["spec"] as JsonObject);
    }

    /// <summary>A Service's defaults: type ClusterIP, session affinity None, TCP ports aimed at the same target port.</summary>
    private static void DefaultService(JsonObject spec)
    {
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        if (spec.Text("type") != "ExternalName")
        {
            spec["internalTrafficPolicy"] ??= "Cluster";
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
        }
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
        }
    }

    /// <summary>
    /// What the server allocated and an update left out is kept (kube-apiserver's patchAllocatedValues): a PUT
    /// without spec.clusterIP keeps the service's address, and a port keeps its node port.
    /// </summary>
    public static void KeepAllocated(ResourceType type, JsonObject current, JsonObject next)
    {
        if (type.Kind != "Service" || type.Group.Length > 0 || next["spec"] is not JsonObject spec || current["spec"] is not JsonObject was)
        {
            return;
        }
        if (spec.Text("type") is "ClusterIP" or "ExternalName" && was.Text("type") is "NodePort" or "LoadBalancer")
        {
            // Leaving NodePort drops the node ports the server gave (kube-apiserver's dropTypeDependentFields).
            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                port.Remove("nodePort");
            }
        }
        if (spec.Text("type") == "ExternalName")
        {
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
        }
        else if (string.IsNullOrEmpty(spec.Text("clusterIP")) && was.Text("clusterIP") is { } ip)
        {
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = was["clusterIPs"]?.DeepClone();
        }
        if (spec.Text("type") is "NodePort" or "LoadBalancer")
        {
            var old = (was["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().Where(p => p["nodePort"] is null))
            {
                var same = old.FirstOrDefault(o => o["port"]?.ToJsonString() == port["port"]?.ToJsonString() && o.Text("protocol") == port.Text("protocol"));
                port["nodePort"] = same?["nodePort"]?.DeepClone();
            }
        }
    }

    private static JsonObject Status(JsonObject obj)
    {
        if (obj["status"] is JsonObject status)
        {
            return status;
        }
        var created = new JsonObject();
        obj["status"] = created;
        return created;
    }
}
