namespace StateStore.ApiServer.Resources;

/// <summary>
/// One kind of object the API serves: where it lives in the URL space (group, version, plural), what it is
/// called (kind, singular, short names) and whether it belongs to a namespace. Every handler is generic
/// over this description; nothing is written per type.
/// </summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string Singular { get; init; } = "";

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Subresources served (e.g. "status", "scale", "binding", "log", "eviction").</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];

    /// <summary>True when spec changes bump metadata.generation (objects with a spec).</summary>
    public bool HasSpec { get; init; } = true;

    /// <summary>"v1" for the core group, "apps/v1" otherwise: the apiVersion objects of this type carry.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    public string SingularName => Singular.Length > 0 ? Singular : Kind.ToLowerInvariant();

    /// <summary>The key prefix of every object of this type: /registry/&lt;plural&gt;/ as kube-apiserver lays out etcd, unless set.</summary>
    public string KeyPrefix { get; init; } = $"/registry/{Plural}/";

    /// <summary>Set when the objects are stored in another version's form (events.k8s.io Events are core Events).</summary>
    public StorageConversion? Conversion { get; init; }

    /// <summary>The key of one object.</summary>
    public string KeyOf(string? ns, string name) => Namespaced ? $"{KeyPrefix}{ns}/{name}" : $"{KeyPrefix}{name}";

    /// <summary>The key prefix of one namespace's objects (or of all of them when <paramref name="ns"/> is null).</summary>
    public string PrefixOf(string? ns) => Namespaced && ns is not null ? $"{KeyPrefix}{ns}/" : KeyPrefix;
}
