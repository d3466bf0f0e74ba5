using k8s;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>What an update may not change is refused with 422 Invalid naming the field, and nothing is written.</summary>
public sealed class UpdateRuleTests : ApiTestBase
{
    private static V1Patch Merge(string json) => new(json, V1Patch.PatchType.MergePatch);

    [Fact]
    public async Task A_pods_image_may_change_but_not_the_rest_of_its_spec_and_its_node_only_through_binding()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p"), "default");

        var patched = await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"busybox:1.36\"}]",
            V1Patch.PatchType.JsonPatch), "p", "default");
        var command = await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("[{\"op\":\"add\",\"path\":\"/spec/containers/0/command\",\"value\":[\"sleep\"]}]", V1Patch.PatchType.JsonPatch), "p", "default"));
        await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.PatchNamespacedPodAsync(Merge("{\"spec\":{\"nodeName\":\"node-1\"}}"), "p", "default"));
        await Client.CoreV1.CreateNamespacedPodBindingAsync(new V1Binding { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } }, "p", "default");

        Assert.Equal("busybox:1.36", patched.Spec.Containers[0].Image);
        Assert.Contains("pod updates may not change fields other than", command);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("p", "default");
        Assert.Equal("node-1", pod.Spec.NodeName);
        Assert.Null(pod.Spec.Containers[0].Command);
    }

    [Fact]
    public async Task A_pod_being_deleted_cannot_be_bound()
    {
        var pod = Pod("p");
        pod.Metadata.Finalizers = ["example.com/hold"];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        await Client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        await AssertStatusAsync(409, "Conflict", () => Client.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } }, "p", "default"));

        Assert.Null((await Client.CoreV1.ReadNamespacedPodAsync("p", "default")).Spec.NodeName);
    }

    [Fact]
    public async Task A_workloads_selector_is_immutable()
    {
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = Pod("x").Spec },
            },
        }, "default");

        var answer = await AssertStatusAsync(422, "Invalid", () => Client.AppsV1.PatchNamespacedDeploymentAsync(
            Merge("{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"db\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"db\"}}}}}"), "web", "default"));

        Assert.Contains("\"field\":\"spec.selector\"", answer);
        Assert.Equal("web", (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default")).Spec.Selector.MatchLabels["app"]);
    }

    [Fact]
    public async Task An_immutable_configmaps_data_and_a_secrets_type_do_not_change()
    {
        var cm = ConfigMap("frozen", new() { ["a"] = "1" });
        cm.Immutable = true;
        await Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default");
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, Type = "Opaque" }, "default");

        await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.PatchNamespacedConfigMapAsync(Merge("{\"data\":{\"a\":\"2\"}}"), "frozen", "default"));
        await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.PatchNamespacedConfigMapAsync(Merge("{\"immutable\":false}"), "frozen", "default"));
        await AssertStatusAsync(422, "Invalid", () => Client.CoreV1.PatchNamespacedSecretAsync(Merge("{\"type\":\"kubernetes.io/tls\"}"), "s", "default"));
        var labelled = await Client.CoreV1.PatchNamespacedConfigMapAsync(Merge("{\"metadata\":{\"labels\":{\"x\":\"y\"}}}"), "frozen", "default");

        Assert.Equal("y", labelled.Metadata.Labels["x"]);
        Assert.Equal("1", (await Client.CoreV1.ReadNamespacedConfigMapAsync("frozen", "default")).Data["a"]);
        Assert.Equal("Opaque", (await Client.CoreV1.ReadNamespacedSecretAsync("s", "default")).Type);
    }
}
