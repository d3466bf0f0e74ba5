using k8s;
using k8s.Models;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// The official KubernetesClient against every member of a real 3-member cluster: objects written through one
/// member are read on the others, a stale update is a Conflict wherever it lands, a watch resumed on another
/// member after its member is killed sees every change once, in order, and after a compaction every member
/// answers 410 Gone for the versions it removed (watch, exact list, an old continue token).
/// </summary>
public sealed class KubernetesClusterTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(150))
{
    private static Kubernetes ClientOf(ServerProcess member) => new(new KubernetesClientConfiguration { Host = member.Config.ApiUrl });

    private async Task WaitForDefaultNamespaceAsync(Kubernetes client)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                await client.CoreV1.ReadNamespaceAsync("default", cancellationToken: Timeout);
                return;
            }
            catch (k8s.Autorest.HttpOperationException) when (i < 100)
            {
                await Task.Delay(100, Timeout);
            }
        }
    }

    [Fact]
    public Task Writes_on_one_member_read_on_the_others_and_conflicts_hold_everywhere() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var clients = cluster.Members.Select(ClientOf).ToList();
        await WaitForDefaultNamespaceAsync(clients[0]);

        var created = await clients[0].CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "shared" }, Data = new Dictionary<string, string> { ["v"] = "1" },
        }, "default", cancellationToken: Timeout);
        foreach (var client in clients)
        {
            Assert.Equal(created.Metadata.ResourceVersion, (await client.CoreV1.ReadNamespacedConfigMapAsync("shared", "default", cancellationToken: Timeout)).Metadata.ResourceVersion);
        }

        created.Data["v"] = "2";
        await clients[1].CoreV1.ReplaceNamespacedConfigMapAsync(created, "shared", "default", cancellationToken: Timeout);
        created.Data["v"] = "3";
        var conflict = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            clients[2].CoreV1.ReplaceNamespacedConfigMapAsync(created, "shared", "default", cancellationToken: Timeout));
        Assert.Equal(409, (int)conflict.Response.StatusCode);
        Assert.Equal("2", (await clients[0].CoreV1.ReadNamespacedConfigMapAsync("shared", "default", cancellationToken: Timeout)).Data["v"]);
    });

    [Fact]
    public Task A_watch_resumed_on_another_member_after_its_member_is_killed_misses_and_repeats_nothing() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var (watched, writer, resumeOn) = (cluster.Members[0], cluster.Members[1], cluster.Members[2]);
        using var writes = ClientOf(writer);
        await WaitForDefaultNamespaceAsync(writes);
        var start = (await writes.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Timeout)).Metadata.ResourceVersion;

        var seen = new List<(string Name, long Rv)>();
        var lastRv = start;
        async Task WatchAsync(ServerProcess member, int until)
        {
            using var client = ClientOf(member);
            await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: lastRv, onError: _ => { }, cancellationToken: Timeout))
            {
                Assert.Equal(WatchEventType.Added, type);
                seen.Add((cm.Metadata.Name, long.Parse(cm.Metadata.ResourceVersion)));
                lastRv = cm.Metadata.ResourceVersion;
                if (seen.Count >= until)
                {
                    return;
                }
            }
        }

        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                await writes.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i:D3}" } }, "default", cancellationToken: Timeout);
                await Task.Delay(20, Timeout);
            }
        });
        // Watch on the first member until 20 events, then kill it and resume on the third from the last version seen.
        await WatchAsync(watched, 20);
        await watched.KillAsync();
        Output.WriteLine($"killed {watched.Name} after {seen.Count} events at resourceVersion {lastRv}");
        await WatchAsync(resumeOn, 60);
        await writing;

        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"cm-{i:D3}"), seen.Select(s => s.Name));
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Rv < p.Second.Rv), "resourceVersions went back or repeated");
    });

    [Fact]
    public Task After_a_compaction_every_member_answers_410_for_the_compacted_versions() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var clients = cluster.Members.Select(ClientOf).ToList();
        await WaitForDefaultNamespaceAsync(clients[0]);
        var first = await clients[0].CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, "default", cancellationToken: Timeout);
        await clients[0].CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, "default", cancellationToken: Timeout);
        var page = await clients[1].CoreV1.ListNamespacedConfigMapAsync("default", limit: 1, cancellationToken: Timeout);
        var last = await clients[0].CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "default", cancellationToken: Timeout);

        await cluster.Members[0].Kv.CompactAsync(new Etcdserverpb.CompactionRequest { Revision = long.Parse(last.Metadata.ResourceVersion) }, cancellationToken: Timeout);

        foreach (var client in clients)
        {
            var gone = new TaskCompletionSource<Exception>();
            await foreach (var _ in client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: first.Metadata.ResourceVersion,
                onError: e => gone.TrySetResult(e), timeoutSeconds: 10, cancellationToken: Timeout))
            {
                Assert.Fail("a watch from a compacted version delivered an object");
            }
            var error = Assert.IsType<KubernetesException>(await gone.Task.WaitAsync(Timeout));
            Assert.Equal((410, "Expired"), (error.Status.Code, error.Status.Reason));
            var exact = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync("default",
                resourceVersion: first.Metadata.ResourceVersion, resourceVersionMatch: "Exact", cancellationToken: Timeout));
            Assert.Equal(410, (int)exact.Response.StatusCode);
            var expired = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync("default",
                limit: 1, continueParameter: page.Metadata.ContinueProperty, cancellationToken: Timeout));
            Assert.Equal(410, (int)expired.Response.StatusCode);
            Assert.Contains("continue parameter is too old", expired.Response.Content);
        }
    });
}
