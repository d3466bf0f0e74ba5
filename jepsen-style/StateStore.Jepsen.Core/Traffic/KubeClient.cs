using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>
/// The Kubernetes-shaped workload's objects: Pods k0..kN in namespace "jepsen" (unscheduled: no node, so a DELETE
/// removes them at once, with no grace period), each a register whose value is the annotation jepsen/v (a Pod's spec
/// is immutable after create; its annotations are what a controller rewrites). In the store they are the keys
/// /registry/pods/jepsen/kI, so the committed history and the members' final states are read through the etcd API
/// and compared in the same terms.
/// </summary>
public static class KubeObjects
{
    public const string Namespace = "jepsen";

    /// <summary>The etcd key prefix the objects live under (the workload's prefix).</summary>
    public const string Prefix = "/registry/pods/jepsen/";

    /// <summary>The collection's path in the Kubernetes API.</summary>
    public const string Path = $"/api/v1/namespaces/{Namespace}/pods";

    private const string ValueAnnotation = "jepsen/v";

    public static string NameOf(string key) => key[Prefix.Length..];

    /// <summary>The register value a stored object holds (its jepsen/v annotation), or the raw value when it is not an object of this workload.</summary>
    public static string? ValueOf(string stored) =>
        stored.StartsWith('{') && JsonNode.Parse(stored) is JsonObject obj ? ValueOf(obj) : stored;

    /// <summary>The register value an object holds: its jepsen/v annotation.</summary>
    public static string? ValueOf(JsonObject? obj) => obj?["metadata"]?["annotations"]?[ValueAnnotation]?.GetValue<string>();

    public static JsonObject Body(string name, string value, string? resourceVersion)
    {
        var metadata = new JsonObject { ["name"] = name, ["annotations"] = new JsonObject { [ValueAnnotation] = value } };
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }
        return new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            // The same spec on every write: what a PUT may not change after create.
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox:1.36" }) },
        };
    }

    /// <summary>DeleteOptions whose precondition makes a DELETE a compare-and-delete on the object's resourceVersion.</summary>
    public static JsonObject DeleteOptions(string resourceVersion) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "DeleteOptions",
        ["preconditions"] = new JsonObject { ["resourceVersion"] = resourceVersion },
    };

    /// <summary>The namespace every object goes into; created once before the workload (an existing one is fine).</summary>
    public static async Task CreateNamespaceAsync(ServerProcess member, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(member.Config.ApiUrl) };
        using var response = await http.PostAsJsonAsync("/api/v1/namespaces",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = Namespace } }, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
        {
            throw new InvalidOperationException($"creating namespace {Namespace} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}

/// <summary>
/// One client of the Kubernetes-shaped workload, as a controller writes objects: GETs (linearizable: no
/// resourceVersion), creates, unconditional PUTs and PUTs with the resourceVersion of its last read — the
/// optimistic concurrency every Kubernetes client relies on — and DELETEs, plain or with
/// preconditions.resourceVersion. With unique values a PUT with resourceVersion R read together with value V
/// succeeds exactly when the object still holds V, so it is a compare-and-set of the register model, and 409
/// Conflict is its failed compare; a DELETE with that precondition is likewise a compare-and-delete (409: another
/// value; 404: absent, also a failed compare). A plain DELETE answers 200 when it deleted the object and 404 when
/// there was none. Errors after sending make a write or delete Unknown, as in <see cref="RegisterClient"/>.
/// </summary>
public sealed class KubeClient(int client, IReadOnlyList<ServerProcess> members, History history, TrafficOptions options)
    : TrafficClient(client, members, history)
{
    /// <summary>Per key: whether it exists as far as this client knows, and the value and resourceVersion it last read or wrote.</summary>
    private readonly Dictionary<string, (bool Exists, string? Value, string? ResourceVersion)> _lastSeen = [];

    /// <summary>One HTTP client per member's API URL (members come and go under the replace-member nemesis).</summary>
    private readonly Dictionary<string, HttpClient> _http = [];

    protected override void Stopped()
    {
        foreach (var http in _http.Values)
        {
            http.Dispose();
        }
    }

    protected override async Task<Operation> InvokeAsync()
    {
        var key = KubeObjects.Prefix + $"k{Random.Next(options.Keys)}";
        var name = KubeObjects.NameOf(key);
        var (exists, seen, resourceVersion) = _lastSeen.GetValueOrDefault(key);
        var type = NextType(options, canCompare: resourceVersion is not null);
        var op = Invoke(type, key, seen);
        var url = Members[Member].Config.ApiUrl;
        var http = _http.TryGetValue(url, out var known) ? known : _http[url] = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };
        var path = KubeObjects.Path;
        using var deadline = new CancellationTokenSource(options.OpTimeout);
        try
        {
            using var response = type switch
            {
                OpType.Read => await http.GetAsync($"{path}/{name}", deadline.Token),
                // A write creates the object the first time (or after a 404) and replaces it unconditionally after.
                OpType.Write when !exists => await http.PostAsJsonAsync(path, KubeObjects.Body(name, op.Value!, null), deadline.Token),
                OpType.Write => await http.PutAsJsonAsync($"{path}/{name}", KubeObjects.Body(name, op.Value!, null), deadline.Token),
                OpType.Cas => await http.PutAsJsonAsync($"{path}/{name}", KubeObjects.Body(name, op.Value!, resourceVersion), deadline.Token),
                _ => await DeleteAsync(http, $"{path}/{name}", type == OpType.CompareAndDelete ? resourceVersion : null, deadline.Token),
            };
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            var obj = JsonNode.Parse(body) as JsonObject;
            var rv = obj?["metadata"]?["resourceVersion"]?.GetValue<string>();
            var done = op with { CompleteNs = History.NowNs, Outcome = Outcome.Ok, Revision = long.TryParse(rv, out var r) ? r : 0 };
            switch (type, response.StatusCode)
            {
                case (OpType.Read, HttpStatusCode.OK):
                    _lastSeen[key] = (true, KubeObjects.ValueOf(obj), rv);
                    return done with { Value = _lastSeen[key].Value };
                case (OpType.Read, HttpStatusCode.NotFound):
                    _lastSeen[key] = (false, null, null);
                    return done with { Value = null, Revision = 0 };
                case (OpType.Write, HttpStatusCode.OK or HttpStatusCode.Created):
                case (OpType.Cas, HttpStatusCode.OK):
                    _lastSeen[key] = (true, op.Value, rv);
                    return type == OpType.Cas ? done with { Succeeded = true } : done;
                case (OpType.Write, HttpStatusCode.Conflict or HttpStatusCode.NotFound):
                    // Created by someone else already (409), or not there to replace (404): refused, no effect.
                    _lastSeen[key] = (response.StatusCode == HttpStatusCode.Conflict, null, null);
                    return done with { Outcome = Outcome.Fail, Error = $"{(int)response.StatusCode} {obj?["reason"]}" };
                case (OpType.Cas, HttpStatusCode.Conflict or HttpStatusCode.NotFound):
                    return done with { Succeeded = false, Error = $"{(int)response.StatusCode} {obj?["reason"]}" };
                case (OpType.Delete or OpType.CompareAndDelete, HttpStatusCode.OK):
                    // The answer is the object as it was before the delete, so its resourceVersion is not the delete's.
                    _lastSeen[key] = (false, null, null);
                    return done with { Succeeded = true, Revision = 0 };
                case (OpType.Delete or OpType.CompareAndDelete, HttpStatusCode.NotFound):
                    _lastSeen[key] = (false, null, null);
                    return done with { Succeeded = false, Revision = 0, Error = $"404 {obj?["reason"]}" };
                case (OpType.CompareAndDelete, HttpStatusCode.Conflict):
                    // Replaced since this client saw it: it exists, with a value the client no longer knows.
                    _lastSeen[key] = (true, null, null);
                    return done with { Succeeded = false, Revision = 0, Error = $"409 {obj?["reason"]}" };
                default:
                    return Failed(op, $"{(int)response.StatusCode} {obj?["reason"]}: {obj?["message"]}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return Failed(op, e.Message);
        }
    }

    /// <summary>A DELETE, with the resourceVersion precondition when one is given.</summary>
    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient http, string uri, string? resourceVersion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, uri)
        {
            Content = resourceVersion is null ? null : JsonContent.Create(KubeObjects.DeleteOptions(resourceVersion)),
        };
        return await http.SendAsync(request, cancellationToken);
    }

    /// <summary>No answer that says what happened: a read had no effect; a write may still take effect.</summary>
    private Operation Failed(Operation op, string error) => op.Type == OpType.Read
        ? op with { Outcome = Outcome.Fail, CompleteNs = History.NowNs, Error = error }
        : op with { Outcome = Outcome.Unknown, Error = error };
}
