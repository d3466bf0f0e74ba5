using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace StateStore.LoadGen;

/// <summary>
/// The Kubernetes API server under load, through plain HTTP/JSON as clients send it: create and update latency
/// (sequential), the time to list N pods, and N watchers that must each receive every event (put sent → event
/// received). Loopback URLs only; every loop bounded by the caller's token.
/// </summary>
internal static class Kube
{
    private const string Namespace = "default";

    public static async Task<IReadOnlyList<Result>> RunAsync(IReadOnlyList<string> apiUrls, int count, int pods, int watchers, CancellationToken ct)
    {
        foreach (var url in apiUrls)
        {
            if (!new Uri(url).IsLoopback)
            {
                throw new ArgumentException($"only loopback endpoints: {url}");
            }
        }
        var clients = apiUrls.Select(u => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2048 }) { BaseAddress = new Uri(u), Timeout = TimeSpan.FromMinutes(2) }).ToList();
        var run = Guid.NewGuid().ToString("N")[..6];
        var (create, update) = await CreateAndUpdateAsync(clients[0], run, count, ct);
        return [create, update, await ListAsync(clients, run, pods, ct), await WatchersAsync(clients, run, watchers, events: 50, ct)];
    }

    private static async Task<(Result Create, Result Update)> CreateAndUpdateAsync(HttpClient client, string run, int count, CancellationToken ct)
    {
        var creates = new Latencies();
        var versions = new string[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var created = await SendAsync(client, HttpMethod.Post, $"/api/v1/namespaces/{Namespace}/configmaps", ConfigMap($"lg-{run}-{i}", "1", null), ct);
            creates.Add(Stopwatch.GetElapsedTime(started));
            versions[i] = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        }
        var updates = new Latencies();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await SendAsync(client, HttpMethod.Put, $"/api/v1/namespaces/{Namespace}/configmaps/lg-{run}-{i}", ConfigMap($"lg-{run}-{i}", "2", versions[i]), ct);
            updates.Add(Stopwatch.GetElapsedTime(started));
        }
        return (creates.Summarize("k8s create (seq)"), updates.Summarize("k8s update (seq)"));
    }

    private static async Task<Result> ListAsync(IReadOnlyList<HttpClient> clients, string run, int pods, CancellationToken ct)
    {
        var ns = $"lg-{run}";
        await SendAsync(clients[0], HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, ct);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async w =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < pods;)
            {
                await SendAsync(clients[w % clients.Count], HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod($"p-{i:D6}"), ct);
            }
        }));
        var lists = new Latencies();
        for (var i = 0; i < 10; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var list = await SendAsync(clients[i % clients.Count], HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods", null, ct);
            lists.Add(Stopwatch.GetElapsedTime(started));
            if ((list["items"] as JsonArray)?.Count != pods)
            {
                throw new InvalidOperationException($"a list of {pods} pods returned {(list["items"] as JsonArray)?.Count}");
            }
        }
        return lists.Summarize($"k8s list {pods} pods");
    }

    /// <summary>N watchers (spread over the members) on one namespace; each must see every one of the creates, in order.</summary>
    private static async Task<Result> WatchersAsync(IReadOnlyList<HttpClient> clients, string run, int watchers, int events, CancellationToken ct)
    {
        var ns = $"lgw-{run}";
        var start = await SendAsync(clients[0], HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, ct);
        var rv = start["metadata"]!["resourceVersion"]!.GetValue<string>();
        var sent = new long[events];
        var latencies = new Latencies();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ready = 0;
        var streams = Enumerable.Range(0, watchers).Select(w => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv}");
            using var response = await clients[w % clients.Count].SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            Interlocked.Increment(ref ready);
            for (var seen = 0; seen < events;)
            {
                var line = await reader.ReadLineAsync(stop.Token) ?? throw new InvalidOperationException($"watcher {w} ended after {seen} events");
                var name = JsonNode.Parse(line)!["object"]!["metadata"]!["name"]!.GetValue<string>();
                var index = int.Parse(name.AsSpan(2));
                if (index != seen)
                {
                    throw new InvalidOperationException($"watcher {w} saw event {index} where {seen} was due");
                }
                latencies.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref sent[index])));
                seen++;
            }
        }, stop.Token)).ToList();
        while (Volatile.Read(ref ready) < watchers)
        {
            await Task.Delay(50, ct);
        }
        for (var i = 0; i < events; i++)
        {
            Volatile.Write(ref sent[i], Stopwatch.GetTimestamp());
            await SendAsync(clients[0], HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", ConfigMap($"w-{i}", "1", null), ct);
            await Task.Delay(20, ct);
        }
        await Task.WhenAll(streams);
        return latencies.Summarize($"k8s {watchers} watchers x {events} events");
    }

    private static JsonObject ConfigMap(string name, string value, string? resourceVersion)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = metadata, ["data"] = new JsonObject { ["v"] = value } };
    }

    private static JsonObject Pod(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "loadgen" } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox" }) },
    };

    private static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }
        return JsonNode.Parse(text) as JsonObject ?? [];
    }
}
