using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;
using StateStore.Kv;

namespace StateStore.ApiServer.Registry;

internal sealed partial class ResourceRegistry
{
    /// <summary>
    /// DELETE: preconditions (uid, resourceVersion) must hold; an object with finalizers gets a
    /// deletionTimestamp and stays until they are removed; otherwise it is deleted (compare-and-set on its
    /// revision). A namespace takes its contents with it. Answers the object as it was last.
    /// </summary>
    public async Task<JsonObject> DeleteAsync(ApiRequest request, JsonObject? options = null)
    {
        options ??= await request.ReadBodyAsync().ConfigureAwait(false) as JsonObject;
        var preconditions = options?["preconditions"] as JsonObject;
        for (var attempt = 0; ; attempt++)
        {
            var current = await Objects(request).GetAsync(request.Key, serializable: false, request.Aborted).ConfigureAwait(false) ?? throw NotFound(request);
            var obj = current.Object;
            if (preconditions?.Text("uid") is { } uid && uid != obj.Uid())
            {
                throw ApiError.Conflict(request.Type.Plural, request.Type.Group, request.Name!, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {obj.Uid()}");
            }
            if (preconditions?.Text("resourceVersion") is { } rv && rv != obj.ResourceVersion())
            {
                throw ApiError.Conflict(request.Type.Plural, request.Type.Group, request.Name!, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {obj.ResourceVersion()}");
            }
            if (obj.Finalizers().Count > 0)
            {
                if (obj.IsDeleting())
                {
                    return obj;
                }
                var marked = (JsonObject)obj.DeepClone();
                marked.Metadata()["deletionTimestamp"] = Meta.Timestamp(clock.GetUtcNow());
                marked.Metadata()["deletionGracePeriodSeconds"] = 0;
                if (await Objects(request).UpdateAsync(request.Key, marked, current.ModRevision, request.Aborted).ConfigureAwait(false) is { } revision)
                {
                    marked.Metadata()["resourceVersion"] = Rv(revision);
                    return marked;
                }
            }
            else if (await Objects(request).DeleteAsync(request.Key, current.ModRevision, request.Aborted).ConfigureAwait(false) is not null)
            {
                if (request.Type.Kind == "Namespace")
                {
                    await DeleteContentsAsync(request.Name!, request.Aborted).ConfigureAwait(false);
                }
                return obj;
            }
            if (attempt >= 20)
            {
                throw Conflict(request);
            }
        }
    }

    /// <summary>DELETE on a collection: every object the selectors match is deleted as by <see cref="DeleteAsync"/>.</summary>
    public async Task<JsonObject> DeleteCollectionAsync(ApiRequest request)
    {
        var options = await request.ReadBodyAsync().ConfigureAwait(false) as JsonObject;
        var list = await ListAsync(request).ConfigureAwait(false);
        var deleted = new JsonArray();
        foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            try
            {
                deleted.Add(await DeleteAsync(request with { Namespace = item.Namespace() ?? request.Namespace, Name = item.Name() }, options).ConfigureAwait(false));
            }
            catch (ApiError e) when (e.Code == 404)
            {
                // Deleted by someone else meanwhile.
            }
        }
        list["items"] = deleted;
        return list;
    }

    /// <summary>A deleted namespace's objects go with it (the namespace controller's job, done at once here).</summary>
    private async Task DeleteContentsAsync(string ns, CancellationToken cancellationToken)
    {
        foreach (var keys in ResourceCatalog.All.Where(t => t.Namespaced).Select(t => t.PrefixOf(ns)).Distinct())
        {
            var prefix = Bytes.Of(keys);
            Storage.ObjectStore.Check(await store.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = prefix, RangeEnd = Bytes.PrefixEnd(prefix) }, cancellationToken).ConfigureAwait(false));
        }
    }
}
