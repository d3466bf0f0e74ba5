using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Selectors;
using StateStore.ApiServer.Storage;

namespace StateStore.ApiServer.Registry;

internal sealed partial class ResourceRegistry
{
    /// <summary>
    /// LIST with Kubernetes' resourceVersion semantics ("" = the latest, linearizable; "0" = any, served locally;
    /// N with resourceVersionMatch=Exact = exactly at N; N otherwise = not older than N), limit/continue pages
    /// that all read at the first page's revision, and label and field selectors.
    /// </summary>
    public async Task<JsonObject> ListAsync(ApiRequest request)
    {
        var labels = LabelSelector.Parse(request.Query("labelSelector"));
        var fields = FieldSelector.Parse(request.Query("fieldSelector"));
        var page = await ReadPageAsync(request, (prefix, start, revision, serializable, limit) =>
            Objects(request).ListAsync(prefix, start, revision, serializable, limit, o => labels.Matches(o.Labels()) && fields.Matches(o), request.Aborted)).ConfigureAwait(false);
        return new JsonObject
        {
            ["kind"] = request.Type.ListKind,
            ["apiVersion"] = request.Type.ApiVersion,
            ["metadata"] = ListMetadata(page),
            ["items"] = new JsonArray([.. page.Items.Select(s => (JsonNode)s.Object)]),
        };
    }

    /// <summary>True when a list can be streamed from the stored bytes: no selectors and no conversion to apply.</summary>
    public static bool CanStream(ApiRequest request) =>
        request.Type.Conversion is null && string.IsNullOrEmpty(request.Query("labelSelector")) && string.IsNullOrEmpty(request.Query("fieldSelector"));

    /// <summary>
    /// LIST as <see cref="ListAsync"/>, written straight from the stored bytes (each object only gets its
    /// resourceVersion put in), never parsed into a tree: a list of thousands of pods costs a copy, not a decode
    /// and an encode of every object.
    /// </summary>
    public async Task StreamListAsync(ApiRequest request)
    {
        var page = await ReadPageAsync(request, (prefix, start, revision, serializable, limit) =>
            store.ListRawAsync(prefix, start, revision, serializable, limit, request.Aborted)).ConfigureAwait(false);
        var response = request.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body);
        writer.WriteStartObject();
        writer.WriteString("kind", request.Type.ListKind);
        writer.WriteString("apiVersion", request.Type.ApiVersion);
        writer.WritePropertyName("metadata");
        ListMetadata(page).WriteTo(writer);
        writer.WriteStartArray("items");
        foreach (var kv in page.Items)
        {
            writer.WriteRawValue(ObjectStore.WithResourceVersion(kv.Value, kv.ModRevision));
            if (writer.BytesPending > 64 * 1024)
            {
                await writer.FlushAsync(request.Aborted).ConfigureAwait(false);
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(request.Aborted).ConfigureAwait(false);
    }

    /// <summary>One page at the position the request asks for (resourceVersion, resourceVersionMatch, limit, continue).</summary>
    private static async Task<ListPage<T>> ReadPageAsync<T>(ApiRequest request, Func<string, string?, long, bool, long, Task<ListPage<T>>> read)
    {
        var limit = ParseLong(request, "limit") ?? 0;
        var (revision, start, serializable, notOlderThan) = ListPosition(request);
        ListPage<T> page;
        try
        {
            page = await read(request.Type.PrefixOf(request.Namespace), start, revision, serializable, limit).ConfigureAwait(false);
        }
        catch (ApiError e) when (e.Code == 410 && request.Query("continue") is not null)
        {
            throw ApiError.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
        }
        if (page.Revision < notOlderThan)
        {
            throw ApiError.Timeout($"Too large resource version: {notOlderThan}, current: {page.Revision}");
        }
        return page;
    }

    private static JsonObject ListMetadata<T>(ListPage<T> page)
    {
        var metadata = new JsonObject { ["resourceVersion"] = Rv(page.Revision) };
        if (page.NextKey is { } next)
        {
            metadata["continue"] = ContinueToken(page.Revision, next);
        }
        return metadata;
    }

    private static (long Revision, string? Start, bool Serializable, long NotOlderThan) ListPosition(ApiRequest request)
    {
        if (request.Query("continue") is { Length: > 0 } token)
        {
            var (revision, start) = ParseContinue(token);
            return (revision, start, false, 0);
        }
        var rv = request.Query("resourceVersion");
        if (string.IsNullOrEmpty(rv))
        {
            return (0, null, false, 0);
        }
        if (rv == "0")
        {
            return (0, null, true, 0);
        }
        var exact = ParseRv(rv);
        return request.Query("resourceVersionMatch") == "Exact" ? (exact, null, false, 0) : (0, null, false, exact);
    }

    private static string ContinueToken(long revision, string nextKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["rv"] = revision, ["start"] = nextKey }.ToJsonString()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (long Revision, string Start) ParseContinue(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var json = JsonNode.Parse(Convert.FromBase64String(padded)) as JsonObject;
            return (json!["rv"]!.GetValue<long>(), json["start"]!.GetValue<string>());
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiError.BadRequest("continue key is not valid: the token cannot be decoded");
        }
    }

    private static long ParseRv(string rv) =>
        long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? revision
            : throw ApiError.BadRequest($"invalid resource version \"{rv}\"");

    private static long? ParseLong(ApiRequest request, string name) =>
        request.Query(name) is not { Length: > 0 } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw ApiError.BadRequest($"invalid {name} \"{text}\"");
}
