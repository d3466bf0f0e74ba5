using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

/// <summary>
/// etcd's Watch service (<c>etcdserverpb.Watch</c>): one bidirectional stream carries any number of
/// watches; each call is served by its own <see cref="WatchStream"/>.
/// </summary>
[BindServiceMethod(typeof(ServiceBinding), nameof(ServiceBinding.BindWatch))]
internal class WatchService(IKvStore store, IOptions<EtcdApiOptions> options, ILogger<WatchService> logger)
{
    public virtual async Task Watch(
        IAsyncStreamReader<EtcdPb.WatchRequest> requests,
        IServerStreamWriter<EtcdPb.WatchResponse> responses,
        ServerCallContext context)
    {
        await using var stream = new WatchStream(store, responses, options.Value, logger, context.CancellationToken);
        await stream.RunAsync(requests).ConfigureAwait(false);
    }
}
