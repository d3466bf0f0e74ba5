using System.Net;
using System.Text;
using k8s;

namespace StateStore.ApiServer.Tests;

/// <summary>Malformed, mistyped, invalid and oversized requests get the right Status, and nothing changes.</summary>
public sealed class BadInputTests : ApiTestBase
{
    private async Task<(HttpStatusCode Code, string Body)> SendAsync(HttpMethod method, string path, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        using var response = await Host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task AssertNothingStoredAsync() =>
        Assert.Empty((await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);

    [Theory]
    [InlineData("{not json", 400, "BadRequest")]
    [InlineData("[1,2]", 400, "BadRequest")]
    [InlineData("{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest")]
    [InlineData("{\"kind\":\"ConfigMap\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest")]
    [InlineData("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"Not_A_Name\"}}", 422, "Invalid")]
    [InlineData("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{}}", 422, "Invalid")]
    [InlineData("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\",\"namespace\":\"other\"}}", 400, "BadRequest")]
    public async Task A_bad_create_is_refused_with_a_Status(string body, int code, string reason)
    {
        var (status, answer) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", body);

        Assert.Equal(code, (int)status);
        Assert.Contains("\"kind\":\"Status\"", answer);
        Assert.Contains($"\"reason\":\"{reason}\"", answer);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task An_invalid_pod_names_each_bad_field()
    {
        var (status, answer) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods",
            "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":70000}]},{\"name\":\"c\"}]}}");

        Assert.Equal(422, (int)status);
        Assert.Contains("\"field\":\"spec.containers[0].ports[0].containerPort\"", answer);
        Assert.Contains("\"field\":\"spec.containers[1].name\"", answer);
        Assert.Contains("\"field\":\"spec.containers[1].image\"", answer);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    [Fact]
    public async Task An_unknown_patch_type_is_415_and_a_huge_body_is_413()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm", new() { ["a"] = "1" }), "default");

        var (patchStatus, _) = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/cm", "data:\n  a: 2\n", "application/apply-patch+yaml");
        var (bigStatus, bigAnswer) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps",
            $"{{\"metadata\":{{\"name\":\"big\"}},\"data\":{{\"x\":\"{new string('x', 3 * 1024 * 1024)}\"}}}}");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, patchStatus);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bigStatus);
        Assert.Contains("\"code\":413", bigAnswer);
        var cm = Assert.Single((await Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
        Assert.Equal("1", cm.Data["a"]);
    }

    [Fact]
    public async Task Logs_of_a_pod_without_a_node_are_a_bad_request_not_an_empty_log()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p"), "default");

        var (status, answer) = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/pods/p/log", "");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("pod p does not have a host assigned", answer);
    }

    [Fact]
    public async Task Unknown_resources_and_methods_are_refused()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/widgets", "")).Code);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/apis/nosuch.io/v1", "")).Code);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps/cm", "{}")).Code);
        await AssertNothingStoredAsync();
    }
}
