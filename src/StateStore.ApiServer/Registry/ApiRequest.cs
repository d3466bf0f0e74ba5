using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Registry;

/// <summary>One request on a resource: its type, namespace, name and subresource from the URL, and the HTTP context.</summary>
internal sealed record ApiRequest(ResourceType Type, string? Namespace, string? Name, string? Subresource, HttpContext Http)
{
    /// <summary>Request bodies larger than this are refused (kube-apiserver's limit is 3 MiB).</summary>
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    public string? Query(string name) => Http.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    public bool QueryFlag(string name) => Query(name) is "true" or "1";

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>dryRun=All: everything is checked and answered as usual, and nothing is written.</summary>
    public bool DryRun => Query("dryRun") switch
    {
        null or "" => false,
        "All" => true,
        var other => throw ApiError.BadRequest($"dryRun must be \"All\", not \"{other}\""),
    };

    /// <summary>What to do with fields the type does not have (the fieldValidation parameter).</summary>
    public FieldValidation FieldValidation => Schema.ParseValidation(Query("fieldValidation"));

    /// <summary>Adds a Warning header (299, as kube-apiserver sends them; kubectl prints "Warning: …"), once per text.</summary>
    public void Warn(string text)
    {
        var sent = Http.Items.TryGetValue(nameof(Warn), out var set) ? (HashSet<string>)set! : [];
        Http.Items[nameof(Warn)] = sent;
        if (sent.Add(text) && !Http.Response.HasStarted)
        {
            Http.Response.Headers.Append("Warning", $"299 - \"{text.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }

    /// <summary>The key of the named object.</summary>
    public string Key => Type.KeyOf(Namespace, Name ?? throw ApiError.BadRequest("a name is required"));

    /// <summary>The media type of the body, without parameters (the C# client adds "; charset=utf-8").</summary>
    public string ContentType => (Http.Request.ContentType ?? "application/json").Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>The body as JSON: a 413 when it is too large, a 400 when it is not JSON.</summary>
    public async Task<JsonNode?> ReadBodyAsync()
    {
        if (Http.Request.ContentLength is > MaxBodyBytes)
        {
            throw ApiError.TooLarge($"the request body of {Http.Request.ContentLength} bytes is over the {MaxBodyBytes} byte limit");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await Http.Request.Body.ReadAsync(chunk, Aborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                throw ApiError.TooLarge($"the request body is over the {MaxBodyBytes} byte limit");
            }
        }
        if (buffer.Length == 0)
        {
            return null;
        }
        if (ContentType is "application/vnd.kubernetes.protobuf" or "application/yaml" or "application/apply-patch+yaml")
        {
            throw ApiError.UnsupportedMediaType($"the body content type {ContentType} is not supported; send JSON");
        }
        try
        {
            return JsonNode.Parse(buffer.ToArray());
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiError.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The body as an object of this request's type: kind and apiVersion, when given, must match the URL.</summary>
    public async Task<JsonObject> ReadObjectAsync()
    {
        if (await ReadBodyAsync().ConfigureAwait(false) is not JsonObject obj)
        {
            throw ApiError.BadRequest("the request body must be a JSON object");
        }
        var kind = obj["kind"]?.GetValue<string>();
        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        if (kind is not null && kind != Type.Kind)
        {
            throw ApiError.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({Type.Kind})");
        }
        if (apiVersion is not null && apiVersion != Type.ApiVersion)
        {
            throw ApiError.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({Type.ApiVersion})");
        }
        obj["kind"] = Type.Kind;
        obj["apiVersion"] = Type.ApiVersion;
        return obj;
    }
}
