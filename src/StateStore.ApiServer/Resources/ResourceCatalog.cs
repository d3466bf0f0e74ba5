namespace StateStore.ApiServer.Resources;

/// <summary>The resources served, by group version; discovery and routing both read this table.</summary>
public static class ResourceCatalog
{
    public static readonly IReadOnlyList<ResourceType> All =
    [
        new("", "v1", "namespaces", "Namespace", Namespaced: false) { ShortNames = ["ns"], Subresources = ["status", "finalize"] },
        new("", "v1", "pods", "Pod", Namespaced: true) { ShortNames = ["po"], Subresources = ["status", "binding", "log", "eviction"] },
        new("", "v1", "nodes", "Node", Namespaced: false) { ShortNames = ["no"], Subresources = ["status"] },
        new("", "v1", "services", "Service", Namespaced: true) { ShortNames = ["svc"], Subresources = ["status"] },
        new("", "v1", "endpoints", "Endpoints", Namespaced: true) { ShortNames = ["ep"], Singular = "endpoints", HasSpec = false },
        new("", "v1", "configmaps", "ConfigMap", Namespaced: true) { ShortNames = ["cm"], HasSpec = false },
        new("", "v1", "secrets", "Secret", Namespaced: true) { HasSpec = false },
        new("", "v1", "serviceaccounts", "ServiceAccount", Namespaced: true) { ShortNames = ["sa"], HasSpec = false },
        new("", "v1", "events", "Event", Namespaced: true) { ShortNames = ["ev"], HasSpec = false },
        new("", "v1", "persistentvolumes", "PersistentVolume", Namespaced: false) { ShortNames = ["pv"], Subresources = ["status"] },
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", Namespaced: true) { ShortNames = ["pvc"], Subresources = ["status"] },
        new("apps", "v1", "deployments", "Deployment", Namespaced: true) { ShortNames = ["deploy"], Subresources = ["status", "scale"] },
        new("apps", "v1", "replicasets", "ReplicaSet", Namespaced: true) { ShortNames = ["rs"], Subresources = ["status", "scale"] },
        new("apps", "v1", "statefulsets", "StatefulSet", Namespaced: true) { ShortNames = ["sts"], Subresources = ["status", "scale"] },
        new("apps", "v1", "daemonsets", "DaemonSet", Namespaced: true) { ShortNames = ["ds"], Subresources = ["status"] },
        new("batch", "v1", "jobs", "Job", Namespaced: true) { Subresources = ["status"] },
        new("coordination.k8s.io", "v1", "leases", "Lease", Namespaced: true),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", Namespaced: true) { HasSpec = false },
        new("events.k8s.io", "v1", "events", "Event", Namespaced: true) { HasSpec = false, KeyPrefix = "/registry/events/", Conversion = StorageConversion.EventsV1 },
    ];

    /// <summary>The group versions served, core first.</summary>
    public static IEnumerable<(string Group, string Version)> GroupVersions =>
        All.Select(r => (r.Group, r.Version)).Distinct();

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
}
