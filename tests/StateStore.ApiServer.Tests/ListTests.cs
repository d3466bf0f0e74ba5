using k8s;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>List with pages that read one snapshot, resourceVersion semantics, and label and field selectors.</summary>
public sealed class ListTests : ApiTestBase
{
    [Fact]
    public async Task Pages_of_a_list_are_one_consistent_snapshot()
    {
        for (var i = 0; i < 25; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"cm-{i:D2}"), "default");
        }

        var first = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10);
        // Written between pages: not part of the snapshot the pages read.
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm-00a"), "default");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("cm-24", "default");
        var second = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, continueParameter: first.Metadata.ContinueProperty);
        var third = await Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 10, continueParameter: second.Metadata.ContinueProperty);

        Assert.Equal(10, first.Items.Count);
        Assert.Equal(10, second.Items.Count);
        Assert.Equal(5, third.Items.Count);
        Assert.Null(third.Metadata.ContinueProperty);
        Assert.Equal(first.Metadata.ResourceVersion, third.Metadata.ResourceVersion);
        var names = first.Items.Concat(second.Items).Concat(third.Items).Select(c => c.Metadata.Name).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"cm-{i:D2}"), names);
        Assert.Equal(25, (await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Count);
    }

    [Fact]
    public async Task A_list_at_an_exact_resourceVersion_sees_the_past()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), "default");

        var past = await Client.CoreV1.ListNamespacedConfigMapAsync("default", resourceVersion: created.Metadata.ResourceVersion, resourceVersionMatch: "Exact");
        var now = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        var any = await Client.CoreV1.ListNamespacedConfigMapAsync("default", resourceVersion: "0");

        Assert.Equal(["a"], past.Items.Select(i => i.Metadata.Name));
        Assert.Equal(created.Metadata.ResourceVersion, past.Metadata.ResourceVersion);
        Assert.Equal(["a", "b"], now.Items.Select(i => i.Metadata.Name));
        Assert.Equal(["a", "b"], any.Items.Select(i => i.Metadata.Name));
        await AssertStatusAsync(504, "Timeout", () => Client.CoreV1.ListNamespacedConfigMapAsync("default", resourceVersion: "999999"));
    }

    [Theory]
    [InlineData("app=web", "w1,w2")]
    [InlineData("app==web,tier=front", "w1")]
    [InlineData("app!=web", "d1,plain")]
    [InlineData("tier in (front,back)", "d1,w1,w2")]
    [InlineData("tier notin (front)", "d1,plain,w2")]
    [InlineData("tier", "d1,w1,w2")]
    [InlineData("!tier", "plain")]
    public async Task Label_selectors(string selector, string expected)
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("w1", new() { ["app"] = "web", ["tier"] = "front" }), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("w2", new() { ["app"] = "web", ["tier"] = "back" }), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("d1", new() { ["app"] = "db", ["tier"] = "back" }), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("plain"), "default");

        var pods = await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: selector);

        Assert.Equal(expected, string.Join(",", pods.Items.Select(p => p.Metadata.Name)));
    }

    [Fact]
    public async Task Field_selectors_on_name_namespace_node_and_phase()
    {
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "other" } });
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("a"), "default");
        var onNode = Pod("b");
        onNode.Spec.NodeName = "n1";
        await Client.CoreV1.CreateNamespacedPodAsync(onNode, "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("a"), "other");

        Assert.Equal(["a"], (await Client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "metadata.name=a")).Items.Select(p => p.Metadata.Name));
        Assert.Equal(["other"], (await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "metadata.name=a,metadata.namespace!=default")).Items.Select(p => p.Metadata.NamespaceProperty));
        Assert.Equal(["b"], (await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=n1")).Items.Select(p => p.Metadata.Name));
        Assert.Equal(2, (await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName=")).Items.Count);
        Assert.Equal(3, (await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "status.phase=Pending")).Items.Count);
    }

    [Fact]
    public async Task Deletecollection_deletes_what_the_selector_matches()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", labels: new() { ["batch"] = "1" }), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", labels: new() { ["batch"] = "1" }), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c"), "default");

        await Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync("default", labelSelector: "batch=1");

        Assert.Equal(["c"], (await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Select(i => i.Metadata.Name));
    }
}
