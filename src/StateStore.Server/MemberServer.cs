using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StateStore.ApiServer;
using StateStore.EtcdApi;
using StateStore.Kv;
using StateStore.Raft;
using StateStore.Raft.Forwarding;
using StateStore.Raft.StateMachine;
using StateStore.Server.Metrics;
using StateStore.Storage;

namespace StateStore.Server;

/// <summary>
/// One running control-plane member: the Raft member with its store, the etcd gRPC API and write
/// forwarding on the client URLs, and health endpoints on the client and API URLs.
/// </summary>
public sealed class MemberServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TcpProposalForwarder _forwarder;
    private int _disposed;

    private MemberServer(WebApplication app, RaftMember member, TcpProposalForwarder forwarder)
    {
        _app = app;
        Member = member;
        _forwarder = forwarder;
    }

    public RaftMember Member { get; }

    public IKvStore Store => Member.Store;

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C) or the member hits a fatal error.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public static async Task<MemberServer> StartAsync(ServerOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var forwarder = new TcpProposalForwarder();
        var member = await RaftMember.StartAsync(new RaftMemberOptions
        {
            Name = options.Name,
            DataDirectory = options.DataDirectory,
            PeerEndPoint = options.PeerEndPoint,
            ListenPeerEndPoint = options.ListenPeerEndPoint,
            AdvertiseClientUrl = options.ClientUrlToAdvertise,
            InitialCluster = options.Cluster,
            JoinExisting = options.JoinExisting,
            HeartbeatInterval = options.HeartbeatInterval,
            ElectionTimeout = options.ElectionTimeout,
            Snapshots = new SnapshotPolicy(options.SnapshotCount, options.SnapshotCatchUpEntries),
            QuotaBackendBytes = options.QuotaBackendBytes,
            Store = new MvccStoreOptions { DataDirectory = "." },
        }, forwarder, loggers, cancellationToken).ConfigureAwait(false);
        try
        {
            // No configuration files are read, so none are watched: the default watch covers the content root
            // (the working folder) recursively, and with the data folder inside it (./default.statestore) every
            // WAL chunk and checkpoint file written cost a wake-up of the file-watcher thread.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggers);
            builder.Services.AddSingleton<IKvStore>(member.Store);
            builder.Services.AddEtcdApi();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                foreach (var url in options.ListenClientUrls)
                {
                    kestrel.Listen(Endpoints.Parse(url), listen => listen.UseProposalForwarding(member.Store).UseEtcdProtocols());
                }
                foreach (var url in options.ListenApiUrls)
                {
                    kestrel.Listen(Endpoints.Parse(url), listen => listen.Protocols = HttpProtocols.Http1);
                }
            });
            var app = builder.Build();
            app.MapEtcdApi();
            app.MapKubernetesApi();
            app.MapProposalForwarding(member.Store);
            MapHealth(app, member);
            app.MapMetrics(member);
            member.Fatal += _ => app.Lifetime.StopApplication();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new MemberServer(app, member, forwarder);
        }
        catch
        {
            await member.DisposeAsync().ConfigureAwait(false);
            forwarder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// /livez: the process answers. /healthz: a leader is known. /readyz: a linearizable read succeeds
    /// (etcd's /health), so a member cut off from the majority is not ready.
    /// </summary>
    private static void MapHealth(WebApplication app, RaftMember member)
    {
        app.MapGet("/livez", () => Results.Text("ok"));
        app.MapGet("/healthz", async (CancellationToken ct) =>
        {
            var status = await member.Store.StatusAsync(ct).ConfigureAwait(false);
            return status.LeaderId != 0 ? Results.Text("ok") : Results.Text("no leader", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/readyz", async (CancellationToken ct) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                var read = await member.Store.RangeAsync(new RangeRequest { Key = Bytes.Of("health"), CountOnly = true }, timeout.Token).ConfigureAwait(false);
                return read.IsOk ? Results.Text("ok") : Results.Text(read.Error ?? "not ready", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return Results.Text("etcdserver: request timed out", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await Member.DisposeAsync().ConfigureAwait(false);
            _forwarder.Dispose();
        }
    }
}
