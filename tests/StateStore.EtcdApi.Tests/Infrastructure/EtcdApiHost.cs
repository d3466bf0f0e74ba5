using System.Net;
using dotnet_etcd;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StateStore.Kv;

namespace StateStore.EtcdApi.Tests.Infrastructure;

/// <summary>
/// A real Kestrel on 127.0.0.1 (a free port) serving the etcd API over whatever <see cref="IKvStore"/> it is
/// given, with gRPC clients for it: the generated KV/Watch/Maintenance/Lease clients and dotnet-etcd's EtcdClient.
/// The store is the caller's to own and dispose.
/// </summary>
public sealed class EtcdApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EtcdApiHost(WebApplication app, IKvStore store, int port)
    {
        _app = app;
        Store = store;
        Port = port;
        Endpoint = $"http://127.0.0.1:{port}";
        Channel = GrpcChannel.ForAddress(Endpoint, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            Credentials = ChannelCredentials.Insecure,
        });
        Kv = new KV.KVClient(Channel);
        Watch = new Watch.WatchClient(Channel);
        Maintenance = new Maintenance.MaintenanceClient(Channel);
        Lease = new Lease.LeaseClient(Channel);
    }

    public IKvStore Store { get; }

    public int Port { get; }

    /// <summary>The endpoint as users type it: <c>http://127.0.0.1:PORT</c>.</summary>
    public string Endpoint { get; }

    public GrpcChannel Channel { get; }

    public KV.KVClient Kv { get; }

    public Watch.WatchClient Watch { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public Lease.LeaseClient Lease { get; }

    /// <summary>
    /// Starts Kestrel serving <paramref name="store"/>; the bound port is read back after start. Without
    /// <paramref name="fixAuthority"/> the endpoint is plain HTTP/2, to show what the fix is for.
    /// </summary>
    public static async Task<EtcdApiHost> StartAsync(IKvStore store, Action<EtcdApiOptions>? configure = null, bool fixAuthority = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFilter("StateStore", LogLevel.Warning);
        builder.Services.AddSingleton(store);
        builder.Services.AddEtcdApi(configure ?? (_ => { }));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (fixAuthority)
            {
                listen.UseEtcdProtocols();
            }
            else
            {
                listen.Protocols = HttpProtocols.Http2;
            }
        }));
        var app = builder.Build();
        app.MapEtcdApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new EtcdApiHost(app, store, new Uri(address).Port);
    }

    /// <summary>dotnet-etcd's client, as an application would create it for an http:// endpoint.</summary>
    public EtcdClient CreateEtcdClient() =>
        new(Endpoint, configureChannelOptions: options => options.Credentials = ChannelCredentials.Insecure);

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
