using System.Globalization;
using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;
using StateStore.ApiServer.Storage;

namespace StateStore.ApiServer.Registry;

/// <summary>
/// The one generic registry: create, get, update and patch for every resource in the catalog, as
/// kube-apiserver's generic store does them over etcd — create and update are compare-and-set
/// transactions on the object's key, a stale resourceVersion is 409 Conflict, an existing name 409
/// AlreadyExists. List, watch and delete are in the other parts of this class.
/// </summary>
internal sealed partial class ResourceRegistry(ObjectStore store, TimeProvider clock)
{
    private readonly ServiceAllocator services = new(store);

    private static readonly ResourceType NamespaceType = ResourceCatalog.All.Single(r => r.Kind == "Namespace");

    public async Task<JsonObject> GetAsync(ApiRequest request)
    {
        var stored = await Objects(request).GetAsync(request.Key, serializable: request.Query("resourceVersion") == "0", request.Aborted).ConfigureAwait(false)
            ?? throw NotFound(request);
        return stored.Object;
    }

    public async Task<JsonObject> CreateAsync(ApiRequest request)
    {
        var obj = Schema.Decode(request.Type, await request.ReadObjectAsync().ConfigureAwait(false), request.FieldValidation, request.Warn);
        var metadata = obj.Metadata();
        if (request.Type.Namespaced)
        {
            if (obj.Namespace() is { } given && given != request.Namespace)
            {
                throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            metadata["namespace"] = request.Namespace;
        }
        if (string.IsNullOrEmpty(obj.Name()) && metadata.Text("generateName") is { Length: > 0 } prefix)
        {
            metadata["name"] = prefix + RandomSuffix();
        }
        Defaults.Apply(request.Type, obj);
        Validation.Validate(request.Type, obj);
        if (request.Type.Namespaced)
        {
            await RequireNamespaceAsync(request.Namespace!, request.Aborted).ConfigureAwait(false);
        }
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Meta.Timestamp(clock.GetUtcNow());
        metadata.Remove("resourceVersion");
        metadata.Remove("deletionTimestamp");
        metadata.Remove("deletionGracePeriodSeconds");
        if (request.Type.HasSpec)
        {
            metadata["generation"] = 1;
        }
        var name = obj.Name()!;
        var key = request.Type.KeyOf(request.Namespace, name);
        if (request.DryRun)
        {
            return await Objects(request).GetAsync(key, serializable: false, request.Aborted).ConfigureAwait(false) is null
                ? obj
                : throw ApiError.AlreadyExists(request.Type.Plural, request.Type.Group, name);
        }
        await services.AllocateAsync(request.Type, obj, null, request.Aborted).ConfigureAwait(false);
        var revision = await Objects(request).CreateAsync(key, obj, request.Aborted).ConfigureAwait(false);
        if (revision is null)
        {
            await services.ReleaseAsync(request.Type, obj, null, request.Aborted).ConfigureAwait(false);
            throw ApiError.AlreadyExists(request.Type.Plural, request.Type.Group, name);
        }
        metadata["resourceVersion"] = Rv(revision.Value);
        return obj;
    }

    /// <summary>PUT: replace the object; its resourceVersion, when given, must be the stored one.</summary>
    public async Task<JsonObject> UpdateAsync(ApiRequest request)
    {
        var desired = await request.ReadObjectAsync().ConfigureAwait(false);
        if (desired.Name() is { } bodyName && bodyName != request.Name)
        {
            throw ApiError.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({request.Name})");
        }
        var expected = desired.ResourceVersion();
        return await ReplaceAsync(request, current => desired, expected).ConfigureAwait(false);
    }

    /// <summary>
    /// Read, change, compare-and-set: <paramref name="change"/> builds the new object from the current one. With an
    /// <paramref name="expectedRv"/> a changed object is a Conflict; without one a lost race is retried.
    /// </summary>
    public async Task<JsonObject> ReplaceAsync(ApiRequest request, Func<JsonObject, JsonObject> change, string? expectedRv)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await Objects(request).GetAsync(request.Key, serializable: false, request.Aborted).ConfigureAwait(false) ?? throw NotFound(request);
            if (!string.IsNullOrEmpty(expectedRv) && expectedRv != Rv(current.ModRevision))
            {
                throw Conflict(request);
            }
            var next = Merge(request, current.Object, change((JsonObject)current.Object.DeepClone()));
            if (request.DryRun)
            {
                next.Metadata()["resourceVersion"] = Rv(current.ModRevision);
                return next;
            }
            if (next.IsDeleting() && next.Finalizers().Count == 0 && next.Metadata()["deletionGracePeriodSeconds"]?.GetValue<long>() is null or 0)
            {
                // The last finalizer is gone and no grace period runs: the object goes (kube-apiserver's ShouldDeleteDuringUpdate).
                if (await Objects(request).DeleteAsync(request.Key, current.ModRevision, request.Aborted).ConfigureAwait(false) is not null)
                {
                    return next;
                }
            }
            else
            {
                await services.AllocateAsync(request.Type, next, current.Object, request.Aborted).ConfigureAwait(false);
                if (await Objects(request).UpdateAsync(request.Key, next, current.ModRevision, request.Aborted).ConfigureAwait(false) is { } revision)
                {
                    await services.ReleaseAsync(request.Type, current.Object, next, request.Aborted).ConfigureAwait(false);
                    next.Metadata()["resourceVersion"] = Rv(revision);
                    return next;
                }
            }
            if (!string.IsNullOrEmpty(expectedRv) || attempt >= 20)
            {
                throw Conflict(request);
            }
        }
    }

    /// <summary>
    /// The stored form of an update: what the server owns (uid, creation time, deletion state, namespace) is kept;
    /// the main resource keeps the status and a status update keeps everything but the status; generation moves
    /// when the spec changes.
    /// </summary>
    private static JsonObject Merge(ApiRequest request, JsonObject current, JsonObject desired)
    {
        JsonObject next;
        if (request.Subresource == "status")
        {
            next = (JsonObject)current.DeepClone();
            next["status"] = desired["status"]?.DeepClone();
        }
        else
        {
            next = desired;
            if (request.Type.Subresources.Contains("status"))
            {
                next["status"] = current["status"]?.DeepClone();
            }
        }
        next = Schema.Decode(request.Type, next, request.FieldValidation, request.Warn);
        Defaults.Apply(request.Type, next);
        Defaults.KeepAllocated(request.Type, current, next);
        var (from, to) = (current.Metadata(), next.Metadata());
        foreach (var owned in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name" })
        {
            to[owned] = from[owned]?.DeepClone();
        }
        to.Remove("resourceVersion");
        next["kind"] = request.Type.Kind;
        next["apiVersion"] = request.Type.ApiVersion;
        if (request.Type.HasSpec)
        {
            var changed = !JsonNode.DeepEquals(current["spec"], next["spec"]);
            to["generation"] = current.Generation() + (changed ? 1 : 0);
        }
        UpdateRules.Check(request.Type, current, next, request.Subresource);
        Validation.Validate(request.Type, next);
        return next;
    }

    private async Task RequireNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        var found = await store.GetAsync(NamespaceType.KeyOf(null, ns), serializable: false, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            throw ApiError.NotFound("namespaces", "", ns);
        }
        if (found.Object.IsDeleting())
        {
            throw new ApiError(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    /// <summary>Creates the namespaces every cluster has (default, kube-system, kube-public, kube-node-lease) when missing.</summary>
    public async Task EnsureSystemNamespacesAsync(CancellationToken cancellationToken)
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            var obj = new JsonObject
            {
                ["kind"] = "Namespace",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject
                {
                    ["name"] = ns,
                    ["uid"] = Guid.NewGuid().ToString(),
                    ["creationTimestamp"] = Meta.Timestamp(clock.GetUtcNow()),
                    ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns },
                },
                ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            };
            await store.CreateAsync(NamespaceType.KeyOf(null, ns), obj, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }

    /// <summary>The store as the request's type sees it (converted when stored in another version's form).</summary>
    private ObjectStore Objects(ApiRequest request) => store.For(request.Type);

    public static string Rv(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    private static ApiError NotFound(ApiRequest request) => ApiError.NotFound(request.Type.Plural, request.Type.Group, request.Name ?? "");

    private static ApiError Conflict(ApiRequest request) =>
        ApiError.Conflict(request.Type.Plural, request.Type.Group, request.Name ?? "", "the object has been modified; please apply your changes to the latest version and try again");
}
