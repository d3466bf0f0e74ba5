using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;
using StateStore.Kv;

namespace StateStore.ApiServer.Registry;

internal sealed partial class ResourceRegistry
{
    /// <summary>
    /// DELETE: preconditions (uid, resourceVersion) must hold. The propagation policy adds the garbage collector's
    /// orphan or foregroundDeletion finalizer; a pod on a node gets a grace period (deletionTimestamp = now + period)
    /// for its kubelet to stop it, and a later delete may shorten it (0 deletes at once, kubectl's --force). An
    /// object with finalizers gets a deletionTimestamp and stays until they are removed; otherwise it is deleted
    /// (compare-and-set on its revision). A namespace takes its contents with it. Answers the object as it was last.
    /// </summary>
    public async Task<JsonObject> DeleteAsync(ApiRequest request, JsonObject? body = null)
    {
        var options = DeleteOptions.Parse(request, body ?? await request.ReadBodyAsync().ConfigureAwait(false) as JsonObject);
        for (var attempt = 0; ; attempt++)
        {
            var current = await Objects(request).GetAsync(request.Key, serializable: false, request.Aborted).ConfigureAwait(false) ?? throw NotFound(request);
            var obj = current.Object;
            options.Check(request, obj);
            var marked = (JsonObject)obj.DeepClone();
            var finalizersChanged = options.ApplyPropagation(marked);
            var grace = options.GracePeriod(request, obj);
            if (marked.Finalizers().Count == 0 && grace == 0)
            {
                if (options.DryRun || await Objects(request).DeleteAsync(request.Key, current.ModRevision, request.Aborted).ConfigureAwait(false) is not null)
                {
                    if (request.Type.Kind == "Namespace" && !options.DryRun)
                    {
                        await DeleteContentsAsync(request.Name!, request.Aborted).ConfigureAwait(false);
                    }
                    if (!options.DryRun)
                    {
                        await services.ReleaseAsync(request.Type, obj, null, request.Aborted).ConfigureAwait(false);
                    }
                    return obj;
                }
            }
            else
            {
                var shortens = obj.IsDeleting() && grace < (obj.Metadata()["deletionGracePeriodSeconds"]?.GetValue<long>() ?? 0);
                if (obj.IsDeleting() && !finalizersChanged && !shortens)
                {
                    return obj;
                }
                if (!obj.IsDeleting() || shortens)
                {
                    marked.Metadata()["deletionTimestamp"] = Meta.Timestamp(clock.GetUtcNow().AddSeconds(grace));
                    marked.Metadata()["deletionGracePeriodSeconds"] = grace;
                }
                if (options.DryRun)
                {
                    return marked;
                }
                if (await Objects(request).UpdateAsync(request.Key, marked, current.ModRevision, request.Aborted).ConfigureAwait(false) is { } revision)
                {
                    marked.Metadata()["resourceVersion"] = Rv(revision);
                    return marked;
                }
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
        var options = await request.ReadBodyAsync().ConfigureAwait(false) as JsonObject ?? [];
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
