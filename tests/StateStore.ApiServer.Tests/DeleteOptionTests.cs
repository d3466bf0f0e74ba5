using System.Net;
using System.Text;
using k8s;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>
/// Delete options as Kubernetes honours them: a pod on a node gets its grace period (and a later delete with 0
/// removes it, kubectl's --force), propagation policies leave the garbage collector's finalizers, dryRun writes
/// nothing, and a bad option changes nothing.
/// </summary>
public sealed class DeleteOptionTests : ApiTestBase
{
    private static V1Pod BoundPod(string name, long? terminationGracePeriodSeconds = null)
    {
        var pod = Pod(name);
        pod.Spec.NodeName = "node-1";
        pod.Spec.TerminationGracePeriodSeconds = terminationGracePeriodSeconds;
        return pod;
    }

    [Fact]
    public async Task A_pod_on_a_node_gets_its_grace_period_then_a_zero_grace_delete_removes_it()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(BoundPod("bound"), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(BoundPod("short", terminationGracePeriodSeconds: 5), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("unbound"), "default");
        var before = DateTime.UtcNow;

        await Client.CoreV1.DeleteNamespacedPodAsync("bound", "default");
        await Client.CoreV1.DeleteNamespacedPodAsync("short", "default");
        await Client.CoreV1.DeleteNamespacedPodAsync("unbound", "default");

        var bound = await Client.CoreV1.ReadNamespacedPodAsync("bound", "default");
        Assert.Equal(30, bound.Metadata.DeletionGracePeriodSeconds);
        Assert.InRange(bound.Metadata.DeletionTimestamp!.Value, before.AddSeconds(29), before.AddSeconds(40));
        Assert.Equal(5, (await Client.CoreV1.ReadNamespacedPodAsync("short", "default")).Metadata.DeletionGracePeriodSeconds);
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedPodAsync("unbound", "default"));

        // The kubelet reports status while the pod stops: the pod stays until the grace period is cut to 0.
        bound.Status.Phase = "Running";
        await Client.CoreV1.ReplaceNamespacedPodStatusAsync(bound, "bound", "default");
        Assert.Equal("Running", (await Client.CoreV1.ReadNamespacedPodAsync("bound", "default")).Status.Phase);
        await Client.CoreV1.DeleteNamespacedPodAsync("bound", "default", gracePeriodSeconds: 10);
        Assert.Equal(10, (await Client.CoreV1.ReadNamespacedPodAsync("bound", "default")).Metadata.DeletionGracePeriodSeconds);
        await Client.CoreV1.DeleteNamespacedPodAsync("bound", "default", new V1DeleteOptions { GracePeriodSeconds = 0 });
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedPodAsync("bound", "default"));
    }

    [Fact]
    public async Task Propagation_policies_leave_the_garbage_collectors_finalizers()
    {
        foreach (var name in new[] { "orphan", "foreground", "background" })
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name), "default");
        }

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("orphan", "default", propagationPolicy: "Orphan");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("foreground", "default", new V1DeleteOptions { PropagationPolicy = "Foreground" });
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("background", "default", propagationPolicy: "Background");

        var orphan = await Client.CoreV1.ReadNamespacedConfigMapAsync("orphan", "default");
        Assert.Equal(["orphan"], orphan.Metadata.Finalizers);
        Assert.NotNull(orphan.Metadata.DeletionTimestamp);
        Assert.Equal(["foregroundDeletion"], (await Client.CoreV1.ReadNamespacedConfigMapAsync("foreground", "default")).Metadata.Finalizers);
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedConfigMapAsync("background", "default"));

        // Deleting again in the background takes the orphan finalizer away, and the object goes.
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("orphan", "default", propagationPolicy: "Background");
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedConfigMapAsync("orphan", "default"));
    }

    [Fact]
    public async Task Dry_run_checks_and_answers_but_writes_nothing()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm", new() { ["a"] = "1" }), "default");

        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dry"), "default", dryRun: "All");
        await AssertStatusAsync(409, "AlreadyExists", () => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), "default", dryRun: "All"));
        created.Data["a"] = "2";
        var answered = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", "default", dryRun: "All");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default", dryRun: "All");

        Assert.Equal("2", answered.Data["a"]);
        var stored = Assert.Single((await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
        Assert.Equal("1", stored.Data["a"]);
        Assert.Equal(created.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData("{\"propagationPolicy\":\"Sideways\"}")]
    [InlineData("{\"gracePeriodSeconds\":-1}")]
    [InlineData("{\"propagationPolicy\":\"Orphan\",\"orphanDependents\":true}")]
    public async Task A_bad_delete_option_is_refused_and_deletes_nothing(string body)
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), "default");
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/namespaces/default/configmaps/cm") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await Host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null((await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default")).Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task An_eviction_honours_its_delete_options()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(BoundPod("a"), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(BoundPod("b"), "default");

        await Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = "a" } }, "a", "default");
        await Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = "b" }, DeleteOptions = new V1DeleteOptions { GracePeriodSeconds = 0 } }, "b", "default");

        Assert.Equal(30, (await Client.CoreV1.ReadNamespacedPodAsync("a", "default")).Metadata.DeletionGracePeriodSeconds);
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedPodAsync("b", "default"));
    }
}
