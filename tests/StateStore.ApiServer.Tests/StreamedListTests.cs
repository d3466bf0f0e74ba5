using System.Text;
using System.Text.Json.Nodes;
using k8s;
using StateStore.ApiServer.Storage;

namespace StateStore.ApiServer.Tests;

/// <summary>Lists written straight from the stored bytes read the same as lists built from decoded objects.</summary>
public sealed class StreamedListTests : ApiTestBase
{
    [Theory]
    [InlineData("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}}", "{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"a\"}}")]
    [InlineData("{\"metadata\":{}}", "{\"metadata\":{\"resourceVersion\":\"42\"}}")]
    [InlineData("{\"spec\":{\"template\":{\"metadata\":{\"x\":1}}},\"metadata\":{\"name\":\"a\"}}", "{\"spec\":{\"template\":{\"metadata\":{\"x\":1}}},\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"a\"}}")]
    [InlineData("{\"note\":\"\\\"metadata\\\":{\",\"metadata\":{\"name\":\"a\"}}", "{\"note\":\"\\\"metadata\\\":{\",\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"a\"}}")]
    [InlineData("{\"kind\":\"Pod\"}", "{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"42\"}}")]
    public void The_resource_version_goes_into_the_top_level_metadata(string stored, string expected)
    {
        var stamped = ObjectStore.WithResourceVersion(Encoding.UTF8.GetBytes(stored), 42);

        Assert.Equal(expected, Encoding.UTF8.GetString(stamped));
    }

    [Fact]
    public async Task A_streamed_list_and_pages_carry_every_object_with_its_resource_version()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await Client.CoreV1.CreateNamespacedPodAsync(Pod($"p{i}"), "default")).Metadata.ResourceVersion);
        }

        var whole = JsonNode.Parse(await Host.Http.GetStringAsync("/api/v1/namespaces/default/pods"))!;
        var first = await Client.CoreV1.ListNamespacedPodAsync("default", limit: 3);
        var rest = await Client.CoreV1.ListNamespacedPodAsync("default", limit: 3, continueParameter: first.Metadata.ContinueProperty);

        Assert.Equal("PodList", whole["kind"]!.GetValue<string>());
        Assert.Equal(created, whole["items"]!.AsArray().Select(p => p!["metadata"]!["resourceVersion"]!.GetValue<string>()));
        Assert.Equal(created[^1], whole["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], first.Items.Concat(rest.Items).Select(p => p.Metadata.Name));
        Assert.Null(rest.Metadata.ContinueProperty);
    }
}
