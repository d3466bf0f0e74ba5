using k8s;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>The official client's create, get, replace, patch and delete, with Kubernetes' metadata and conflicts.</summary>
public sealed class CrudTests : ApiTestBase
{
    [Fact]
    public async Task Create_fills_in_metadata_and_a_second_create_is_AlreadyExists()
    {
        var created = await Client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), "default");

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal("default", created.Metadata.NamespaceProperty);
        Assert.Equal("Pending", created.Status.Phase);
        Assert.Equal(created.Metadata.ResourceVersion, (await Client.CoreV1.ReadNamespacedPodAsync("p1", "default")).Metadata.ResourceVersion);
        await AssertStatusAsync(409, "AlreadyExists", () => Client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), "default"));
    }

    [Fact]
    public async Task Replace_with_a_stale_resourceVersion_is_Conflict_and_changes_nothing()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm", new() { ["a"] = "1" }), "default");
        created.Data["a"] = "2";
        var replaced = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", "default");
        Assert.True(long.Parse(replaced.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));

        created.Data["a"] = "3";   // still carries the first resourceVersion
        await AssertStatusAsync(409, "Conflict", () => Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", "default"));

        var current = await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");
        Assert.Equal("2", current.Data["a"]);
        Assert.Equal(replaced.Metadata.ResourceVersion, current.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.Uid, current.Metadata.Uid);
    }

    [Fact]
    public async Task Generation_moves_with_the_spec_only()
    {
        var deployment = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 1), "default");
        var labelled = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"metadata\":{\"labels\":{\"x\":\"y\"}}}", V1Patch.PatchType.MergePatch), "web", "default");
        var scaled = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch), "web", "default");

        Assert.Equal(1, deployment.Metadata.Generation);
        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.Equal(4, scaled.Spec.Replicas);
        var read = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal((2L, 4), (read.Metadata.Generation!.Value, read.Spec.Replicas!.Value));
    }

    [Fact]
    public async Task Merge_json_and_strategic_merge_patches()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", replicas: 1), "default");

        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":2}}", V1Patch.PatchType.MergePatch), "web", "default");
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"tier\":\"front\"}}]", V1Patch.PatchType.JsonPatch), "web", "default");
        // Strategic: the container list merges by name (image changes, the other container stays), a new env var is added.
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.21\",\"env\":[{\"name\":\"MODE\",\"value\":\"prod\"}]}]}}}}",
            V1Patch.PatchType.StrategicMergePatch), "web", "default");

        var read = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal(2, read.Spec.Replicas);
        Assert.Equal("front", read.Metadata.Labels["tier"]);
        Assert.Equal(["web", "sidecar"], read.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Equal("nginx:1.21", read.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("busybox", read.Spec.Template.Spec.Containers[1].Image);
        Assert.Equal("prod", Assert.Single(read.Spec.Template.Spec.Containers[0].Env).Value);
    }

    [Fact]
    public async Task Delete_removes_the_object_and_a_finalizer_holds_it_until_removed()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("plain"), "default");
        var held = ConfigMap("held");
        held.Metadata.Finalizers = ["example.com/hold"];
        await Client.CoreV1.CreateNamespacedConfigMapAsync(held, "default");

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("plain", "default");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("held", "default");

        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedConfigMapAsync("plain", "default"));
        var terminating = await Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default");
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "held", "default");
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedConfigMapAsync("held", "default"));
    }

    [Fact]
    public async Task Delete_preconditions_must_hold()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), "default");

        await AssertStatusAsync(409, "Conflict", () => Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default",
            new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "not-the-uid" } }));
        await AssertStatusAsync(409, "Conflict", () => Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default",
            new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = "1" } }));
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default"));

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("cm", "default", new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = created.Metadata.Uid } });
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default"));
    }

    [Fact]
    public async Task Cluster_scoped_objects_namespaces_and_binding()
    {
        await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p"), "team");

        await Client.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = "n1" } }, "p", "team");

        Assert.Equal("n1", (await Client.CoreV1.ReadNamespacedPodAsync("p", "team")).Spec.NodeName);
        await AssertStatusAsync(409, "Conflict", () => Client.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = "n2" } }, "p", "team"));
        Assert.Equal(["n1"], (await Client.CoreV1.ListNodeAsync()).Items.Select(n => n.Metadata.Name));
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.CreateNamespacedPodAsync(Pod("q"), "nosuch"));

        await Client.CoreV1.DeleteNamespaceAsync("team");
        await AssertStatusAsync(404, "NotFound", () => Client.CoreV1.ReadNamespacedPodAsync("p", "team"));
    }

    internal static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1.20" }, new V1Container { Name = "sidecar", Image = "busybox" }] },
            },
        },
    };
}
