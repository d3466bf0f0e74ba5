using k8s;
using k8s.Autorest;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>A fresh API server over a fresh store per test, and helpers that read as what a user does.</summary>
public abstract class ApiTestBase : IAsyncLifetime
{
    protected ApiServerHost Host { get; private set; } = null!;

    protected Kubernetes Client => Host.Client;

    protected virtual TimeSpan? BookmarkInterval => null;

    public async Task InitializeAsync() => Host = await ApiServerHost.StartAsync(BookmarkInterval);

    public async Task DisposeAsync() => await Host.DisposeAsync();

    protected static V1ConfigMap ConfigMap(string name, Dictionary<string, string>? data = null, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = data ?? new Dictionary<string, string> { ["k"] = "v" },
    };

    protected static V1Pod Pod(string name, Dictionary<string, string>? labels = null, string image = "busybox") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = image }] },
    };

    /// <summary>Asserts the call fails with this HTTP status and Status reason; returns the Status body.</summary>
    protected static async Task<string> AssertStatusAsync(int code, string reason, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(code, (int)error.Response.StatusCode);
        Assert.Contains($"\"reason\":\"{reason}\"", error.Response.Content);
        Assert.Contains($"\"code\":{code}", error.Response.Content);
        return error.Response.Content;
    }
}
