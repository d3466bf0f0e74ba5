using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using StateStore.Raft.Forwarding;

namespace StateStore.Raft.Tests.Cluster;

/// <summary>One in-process member: a RaftMember plus a real Kestrel client port serving write forwarding (the direct channel, and HTTP/2).</summary>
public sealed class TestMember : IAsyncDisposable
{
    private readonly TcpProposalForwarder _forwarder = new();
    private WebApplication? _host;

    public TestMember(RaftMemberOptions options, int clientPort)
    {
        Options = options;
        ClientPort = clientPort;
    }

    public RaftMemberOptions Options { get; }

    public int ClientPort { get; }

    public RaftMember? Member { get; private set; }

    public bool Running => Member is not null;

    public ReplicatedKvStore Store => Member?.Store ?? throw new InvalidOperationException($"{Options.Name} is stopped");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var loggers = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Warning).AddFilter("StateStore", LogLevel.Information);
            if (Environment.GetEnvironmentVariable("STATESTORE_TEST_LOGS") is "1")
            {
                b.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").AddFilter("DotNext", LogLevel.Debug);
            }
        });
        Member = await RaftMember.StartAsync(Options, _forwarder, loggers, cancellationToken);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, ClientPort, l => l.UseProposalForwarding(Member.Store).Protocols = HttpProtocols.Http2));
        _host = builder.Build();
        _host.MapProposalForwarding(Member.Store);
        await _host.StartAsync(cancellationToken);
    }

    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
            _host = null;
        }
        if (Member is not null)
        {
            await Member.DisposeAsync();
            Member = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _forwarder.Dispose();
    }
}
