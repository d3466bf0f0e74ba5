using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StateStore.EtcdApi.Http2;

namespace StateStore.EtcdApi;

/// <summary>
/// Hosting the etcd v3 gRPC API: <see cref="AddEtcdApi(IServiceCollection)"/> registers it,
/// <see cref="MapEtcdApi"/> serves it, <see cref="UseEtcdProtocols"/> readies a Kestrel endpoint for etcd
/// clients. The host registers the <see cref="Kv.IKvStore"/> to serve as a singleton.
/// </summary>
public static class EtcdApiExtensions
{
    /// <summary>Registers gRPC with etcd's message limits and the etcd services' options.</summary>
    public static IServiceCollection AddEtcdApi(this IServiceCollection services) => services.AddEtcdApi(_ => { });

    /// <summary>Registers gRPC with etcd's message limits and the etcd services, with settings.</summary>
    public static IServiceCollection AddEtcdApi(this IServiceCollection services, Action<EtcdApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EtcdApiOptions>().Configure(configure);
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = EtcdApiOptions.MaxReceiveMessageSize;
            // Ranges and watch batches may be large; etcd itself sends up to math.MaxInt32.
            grpc.MaxSendMessageSize = null;
        });
        return services;
    }

    /// <summary>Serves etcd's KV, Watch, Maintenance, Cluster and Lease services.</summary>
    public static IEndpointRouteBuilder MapEtcdApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<KvService>();
        endpoints.MapGrpcService<WatchService>();
        endpoints.MapGrpcService<MaintenanceService>();
        endpoints.MapGrpcService<ClusterService>();
        endpoints.MapGrpcService<LeaseService>();
        return endpoints;
    }

    /// <summary>
    /// Readies a Kestrel endpoint for etcd clients: cleartext HTTP/2 (what etcdctl and clientv3 speak to an
    /// <c>http://</c> endpoint) and acceptance of the full endpoint URL that etcdctl sends as :authority.
    /// </summary>
    public static ListenOptions UseEtcdProtocols(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Protocols = HttpProtocols.Http2;
        // Kestrel resets any stream whose :authority is not a valid host, before middleware runs, and has no
        // switch for it; so the fix sits below HTTP/2, on the connection's bytes.
        var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("StateStore.EtcdApi.Authority");
        listen.Use(next => async connection =>
        {
            var original = connection.Transport;
            var fixing = new AuthorityFixingTransport(original, logger);
            connection.Transport = fixing;
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = original;
                await fixing.DisposeAsync().ConfigureAwait(false);
            }
        });
        return listen;
    }
}
