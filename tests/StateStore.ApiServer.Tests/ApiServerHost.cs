using System.Net;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StateStore.Kv;
using StateStore.Storage;
using StateStore.Testing;

namespace StateStore.ApiServer.Tests;

/// <summary>
/// The Kubernetes API on a real Kestrel (127.0.0.1, a free port) over an MvccStore in a temp folder, with the
/// official KubernetesClient pointed at it, as an application would configure it.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory _directory;

    private ApiServerHost(WebApplication app, MvccStore store, TempDirectory directory, string url)
    {
        _app = app;
        _directory = directory;
        Store = store;
        Url = url;
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = url });
        Http = new HttpClient { BaseAddress = new Uri(url) };
    }

    public MvccStore Store { get; }

    public string Url { get; }

    public Kubernetes Client { get; }

    /// <summary>For requests the typed client cannot make (malformed bodies, odd content types).</summary>
    public HttpClient Http { get; }

    public static async Task<ApiServerHost> StartAsync(TimeSpan? bookmarkInterval = null)
    {
        var directory = new TempDirectory("apiserver");
        var store = MvccStore.Open(MvccStoreOptions.ForTests(directory.Path));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IKvStore>(store);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapKubernetesApi(bookmarkInterval);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var host = new ApiServerHost(app, store, directory, address);
        await host.WaitForNamespaceAsync("default");
        return host;
    }

    /// <summary>The system namespaces are created in the background when the API starts.</summary>
    private async Task WaitForNamespaceAsync(string name)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await Client.CoreV1.ListNamespaceAsync()).Items.Any(n => n.Metadata.Name == name))
            {
                return;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"namespace {name} never appeared");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Store.Dispose();
        _directory.Dispose();
    }
}
