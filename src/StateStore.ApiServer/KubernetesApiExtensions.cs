using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Registry;
using StateStore.ApiServer.Resources;
using StateStore.ApiServer.Storage;
using StateStore.Kv;

namespace StateStore.ApiServer;

/// <summary>
/// Serves the Kubernetes API over the <see cref="IKvStore"/> registered in the host: discovery, /version,
/// /openapi/v2, and every resource of <see cref="ResourceCatalog"/> under /api and /apis.
/// </summary>
public static class KubernetesApiExtensions
{
    /// <summary>Maps the API; the system namespaces (default, kube-system…) are created in the background once the store answers.</summary>
    public static IEndpointRouteBuilder MapKubernetesApi(this IEndpointRouteBuilder endpoints, TimeSpan? bookmarkInterval = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var store = endpoints.ServiceProvider.GetRequiredService<IKvStore>();
        var registry = new ResourceRegistry(new ObjectStore(store), TimeProvider.System) { BookmarkInterval = bookmarkInterval ?? TimeSpan.FromSeconds(5) };
        var lifetime = endpoints.ServiceProvider.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
        _ = Task.Run(() => EnsureNamespacesAsync(registry, lifetime.ApplicationStopping));

        endpoints.MapGet("/version", () => Json(Discovery.Version()));
        endpoints.MapGet("/api", (HttpContext context) => Json(Discovery.CoreVersions(context)));
        endpoints.MapGet("/apis", () => Json(Discovery.Groups()));
        endpoints.MapGet("/openapi/v2", () => Results.Bytes([], "application/octet-stream"));
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
        endpoints.MapMethods("/api/{**path}", methods, (HttpContext context, string? path) => ServeAsync(registry, context, "", path));
        endpoints.MapMethods("/apis/{**path}", methods, (HttpContext context, string? path) => ServeAsync(registry, context, null, path));
        return endpoints;
    }

    private static async Task EnsureNamespacesAsync(ResourceRegistry registry, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await registry.EnsureSystemNamespacesAsync(stopping).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is ApiError or OperationCanceledException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stopping).ConfigureAwait(false);
            }
        }
    }

    private static async Task ServeAsync(ResourceRegistry registry, HttpContext context, string? coreGroup, string? path)
    {
        try
        {
            var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
            var (group, rest) = coreGroup is not null ? (coreGroup, segments) : (segments.FirstOrDefault() ?? "", segments.Skip(1).ToArray());
            if (rest.Length == 0)
            {
                throw ApiError.NotFound("groups", "", group);
            }
            var version = rest[0];
            rest = rest[1..];
            if (rest.Length == 0)
            {
                await WriteAsync(context, 200, Discovery.Resources(group, version) ?? throw ApiError.NotFound("groupversions", group, version)).ConfigureAwait(false);
                return;
            }
            var request = Route(context, group, version, rest);
            await Dispatch(registry, request).ConfigureAwait(false);
        }
        catch (ApiError e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    /// <summary>/…/namespaces/{ns}/{plural}[/{name}[/{sub}]] or /…/{plural}[/{name}[/{sub}]].</summary>
    private static ApiRequest Route(HttpContext context, string group, string version, string[] rest)
    {
        ResourceType Find(string plural) => ResourceCatalog.Find(group, version, plural)
            ?? throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        if (rest is ["namespaces", var ns, var plural, ..] && ResourceCatalog.Find(group, version, plural) is { Namespaced: true } type)
        {
            return new ApiRequest(type, ns, rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4), context);
        }
        var found = Find(rest[0]);
        if (rest.Length > 3)
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource");
        }
        if (found.Namespaced && rest.Length > 1)
        {
            throw new ApiError(404, "NotFound", "the server could not find the requested resource (a namespaced object needs /namespaces/{namespace}/)");
        }
        return new ApiRequest(found, null, rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2), context);
    }

    private static async Task Dispatch(ResourceRegistry registry, ApiRequest request)
    {
        var context = request.Http;
        if (request.Subresource is { } sub && !request.Type.Subresources.Contains(sub))
        {
            throw new ApiError(404, "NotFound", $"the server could not find the requested resource ({request.Type.Plural}/{sub})");
        }
        var table = Tables.Wanted(context.Request.Headers.Accept.ToString());
        switch (context.Request.Method, request.Name, request.Subresource)
        {
            case ("GET", null, _) when request.QueryFlag("watch"):
                await registry.WatchAsync(request, table ? o => Tables.Of(request.Type, o) : null).ConfigureAwait(false);
                return;
            case ("GET", null, _) when !table && ResourceRegistry.CanStream(request):
                await registry.StreamListAsync(request).ConfigureAwait(false);
                return;
            case ("GET", null, _):
                var list = await registry.ListAsync(request).ConfigureAwait(false);
                await WriteAsync(context, 200, table ? AsTable(request, list) : list).ConfigureAwait(false);
                return;
            case ("GET", _, "scale"):
                await WriteAsync(context, 200, await registry.GetScaleAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ("GET", _, "log"):
                var pod = await registry.GetAsync(request).ConfigureAwait(false);
                // Logs live on the pod's node; until a kubelet serves them, say so rather than answer an empty log.
                throw (pod["spec"] as JsonObject)?["nodeName"]?.GetValue<string>() is { Length: > 0 } node
                    ? ApiError.Unavailable($"the logs of pod \"{request.Name}\" are on node \"{node}\", whose kubelet does not serve them")
                    : ApiError.BadRequest($"pod {request.Name} does not have a host assigned");
            case ("GET", _, _):
                var obj = await registry.GetAsync(request).ConfigureAwait(false);
                await WriteAsync(context, 200, table ? Tables.Of(request.Type, obj) : obj).ConfigureAwait(false);
                return;
            case ("POST", null, _) when request.Type.Namespaced && request.Namespace is null:
                throw ApiError.MethodNotAllowed($"create {request.Type.Plural} needs a namespace: POST /…/namespaces/{{namespace}}/{request.Type.Plural}");
            case ("POST", null, _):
                await WriteAsync(context, 201, await registry.CreateAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ("POST", _, "binding"):
                await WriteAsync(context, 201, await registry.BindAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ("POST", _, "eviction"):
                var eviction = await request.ReadBodyAsync().ConfigureAwait(false) as JsonObject;
                await registry.DeleteAsync(request with { Subresource = null }, eviction?["deleteOptions"] as JsonObject ?? []).ConfigureAwait(false);
                await WriteAsync(context, 201, Success()).ConfigureAwait(false);
                return;
            case ("PUT", not null, "scale"):
                await WriteAsync(context, 200, await registry.UpdateScaleAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ("PUT", not null, _):
                await WriteAsync(context, 200, await registry.UpdateAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ("PATCH", not null, _):
                await WriteAsync(context, 200, await registry.PatchAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ("DELETE", null, _):
                await WriteAsync(context, 200, await registry.DeleteCollectionAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ("DELETE", _, null):
                await WriteAsync(context, 200, await registry.DeleteAsync(request).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            default:
                throw ApiError.MethodNotAllowed($"{context.Request.Method} is not allowed on {context.Request.Path}");
        }
    }

    private static JsonObject AsTable(ApiRequest request, JsonObject list) =>
        Tables.Of(request.Type, (list["items"] as JsonArray ?? []).OfType<JsonObject>(), list["metadata"]?["resourceVersion"]?.ToString() ?? "", DateTimeOffset.UtcNow);

    private static JsonObject Success() => new() { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 };

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8);

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
