using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;

namespace StateStore.ApiServer.Tests;

/// <summary>
/// Objects are decoded through the official model types: wrong types are a 400, unknown fields are dropped with
/// a warning or refused under fieldValidation=Strict, and what is stored is the canonical form.
/// </summary>
public sealed class SchemaTests : ApiTestBase
{
    private const string PodWithUnknownFields =
        "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"bogus\":1,\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"colour\":\"red\"," +
        "\"resources\":{\"limits\":{\"cpu\":\"1000m\",\"nvidia.com/gpu\":\"1\"}}}]}}";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        return await Host.Http.SendAsync(request);
    }

    [Fact]
    public void Every_served_resource_has_a_model_type()
    {
        foreach (var type in ResourceCatalog.All)
        {
            Assert.True(Schema.ModelOf(type) is not null, $"{type.ApiVersion} {type.Kind} has no model type");
        }
        Assert.Equal(typeof(k8s.Models.Eventsv1Event), Schema.ModelOf(ResourceCatalog.Find("events.k8s.io", "v1", "events")!));
    }

    [Fact]
    public async Task Strict_field_validation_refuses_unknown_fields_and_stores_nothing()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods?fieldValidation=Strict", PodWithUnknownFields);
        var message = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: " +
            "unknown field \"spec.bogus\", unknown field \"spec.containers[0].colour\"", message);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    [Fact]
    public async Task Unknown_fields_are_dropped_with_a_warning_and_quantities_are_canonical()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", PodWithUnknownFields);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var warnings = response.Headers.GetValues("Warning").ToList();
        Assert.Contains("299 - \"unknown field \\\"spec.bogus\\\"\"", warnings);
        Assert.Contains("299 - \"unknown field \\\"spec.containers[0].colour\\\"\"", warnings);
        var stored = JsonNode.Parse(await Host.Http.GetStringAsync("/api/v1/namespaces/default/pods/p"))!;
        Assert.Null(stored["spec"]!["bogus"]);
        Assert.Null(stored["spec"]!["containers"]![0]!["colour"]);
        Assert.Equal("1", stored["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ignore_drops_unknown_fields_without_a_warning()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods?fieldValidation=Ignore", PodWithUnknownFields);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("Warning"));
    }

    [Theory]
    [InlineData("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":\"all of them\"}}", "spec.containers")]
    [InlineData("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"priority\":\"high\",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}", "spec.priority")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"labels\":[\"a\"]},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}", "metadata.labels")]
    public async Task A_value_of_the_wrong_type_is_a_bad_request(string body, string field)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", body);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"reason\":\"BadRequest\"", answer);
        Assert.Contains(field, answer);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    [Fact]
    public async Task A_patch_that_gives_a_field_the_wrong_type_changes_nothing()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm", new() { ["a"] = "1" }), "default");

        using var response = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/cm", "{\"data\":{\"a\":{\"nested\":true}}}", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("1", (await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default")).Data["a"]);
    }

    [Fact]
    public async Task A_secrets_string_data_is_stored_as_base64_data()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/secrets",
            "{\"metadata\":{\"name\":\"s\"},\"data\":{\"a\":\"YQ==\"},\"stringData\":{\"b\":\"bee\"}}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var bad = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"t\"},\"data\":{\"a\":\"not base64!\"}}");

        var secret = await Client.CoreV1.ReadNamespacedSecretAsync("s", "default");
        Assert.Equal("a", Encoding.UTF8.GetString(secret.Data["a"]));
        Assert.Equal("bee", Encoding.UTF8.GetString(secret.Data["b"]));
        Assert.Null(secret.StringData);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
