using Microsoft.Extensions.Logging;
using StateStore.Cli;
using StateStore.Raft;
using StateStore.Server;

// statestore [server] [flags] — runs one member (with no flags: the embedded single-member default).
var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "server";
var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
switch (command)
{
    case "server":
        return await RunServerAsync(rest);
    case "version" or "--version":
        Console.WriteLine($"statestore {typeof(MemberServer).Assembly.GetName().Version} (etcd API 3.5, .NET {Environment.Version})");
        return 0;
    case "help" or "--help" or "-h":
        Console.WriteLine(ServerFlags.Usage);
        return 0;
    default:
        Console.Error.WriteLine($"unknown command: {command}\n\n{ServerFlags.Usage}");
        return 2;
}

static async Task<int> RunServerAsync(string[] args)
{
    if (args is ["--help"] or ["-h"])
    {
        Console.WriteLine(ServerFlags.Usage);
        return 0;
    }
    ServerOptions options;
    try
    {
        options = ServerFlags.Parse(args);
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine($"statestore: {e.Message}\n\n{ServerFlags.Usage}");
        return 2;
    }
    using var loggers = LoggerFactory.Create(b => b
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff "; })
        .SetMinimumLevel(LogLevel.Information)
        // DotNext logs every unreachable peer with a stack trace; our own log says what matters.
        .AddFilter("DotNext", LogLevel.Error)
        .AddFilter("Microsoft", LogLevel.Warning));
    var log = loggers.CreateLogger("statestore");
    if (Failpoints.Describe() is { } failpoints)
    {
        log.LogWarning("started with {Failpoints}", failpoints);
    }
    MemberServer server;
    try
    {
        server = await MemberServer.StartAsync(options, loggers, CancellationToken.None);
    }
    catch (Exception e) when (e is MemberStartException or IOException or StateStore.Storage.StoreCorruptException or InvalidDataException or DotNext.IO.Log.IntegrityException)
    {
        log.LogCritical("refusing to start: {Reason}", e.Message);
        return 1;
    }
    await using (server)
    {
        log.LogInformation("member {Name} ({Id:x16}) serving clients on {Clients}, peers on {Peer}, API on {Api}; data in {Data}",
            options.Name, server.Member.MemberId, string.Join(",", options.ListenClientUrls), options.ListenPeerUrl, string.Join(",", options.ListenApiUrls), Path.GetFullPath(options.DataDirectory));
        await server.WaitForShutdownAsync();
        log.LogInformation("shutting down");
    }
    return 0;
}
