using System.Net;
using StateStore.Raft;
using StateStore.Server;

namespace StateStore.Cli;

/// <summary>
/// Parses `statestore server` flags with etcd's names and forms (--flag value or --flag=value). An
/// unknown flag or a malformed value is a <see cref="UsageException"/> naming the flag.
/// </summary>
internal static class ServerFlags
{
    private delegate ServerOptions Apply(ServerOptions options, string value);

    private static readonly Dictionary<string, (string Help, Apply Apply)> Flags = new()
    {
        ["--name"] = ("human-readable name of this member (default \"default\")", (o, v) => o with { Name = NonEmpty(v) }),
        ["--data-dir"] = ("path to the data folder (default \"./default.statestore\")", (o, v) => o with { DataDirectory = NonEmpty(v) }),
        ["--listen-client-urls"] = ("URLs to serve the etcd API on (default http://127.0.0.1:2379)", (o, v) => o with { ListenClientUrls = Urls(v) }),
        ["--advertise-client-urls"] = ("client URL to advertise to the cluster (default: the first listen URL)", (o, v) => o with { AdvertiseClientUrl = Urls(v)[0] }),
        ["--listen-peer-urls"] = ("URL to serve Raft on (default http://127.0.0.1:2380)", (o, v) => o with { ListenPeerUrl = SingleUrl(v) }),
        ["--initial-advertise-peer-urls"] = ("URL the other members reach this one's Raft on, when not the listen URL (behind a proxy)", (o, v) => o with { AdvertisePeerUrl = SingleUrl(v) }),
        ["--listen-api-urls"] = ("URLs to serve the Kubernetes API and /healthz on (default http://127.0.0.1:8080)", (o, v) => o with { ListenApiUrls = Urls(v) }),
        ["--initial-cluster"] = ("founding members, name=peer-url,... (default: this member alone)", (o, v) => o with { InitialCluster = Cluster(v) }),
        ["--initial-cluster-state"] = ("new (found a cluster) or existing (join one)", (o, v) => o with { JoinExisting = v switch { "new" => false, "existing" => true, _ => throw new FormatException("must be 'new' or 'existing'") } }),
        ["--initial-cluster-token"] = ("accepted for etcd compatibility; the cluster id derives from --initial-cluster", (o, v) => o),
        ["--heartbeat-interval"] = ("time (ms) of a heartbeat interval (default 100)", (o, v) => o with { HeartbeatInterval = Milliseconds(v) }),
        ["--election-timeout"] = ("time (ms) for an election to time out (default 1000)", (o, v) => o with { ElectionTimeout = Milliseconds(v) }),
        ["--snapshot-count"] = ("applied entries between snapshots (default 100000, as etcd)", (o, v) => o with { SnapshotCount = Positive(v) }),
        ["--quota-backend-bytes"] = ("bytes of data before the NOSPACE alarm is raised (default 2 GiB)", (o, v) => o with { QuotaBackendBytes = Positive(v) }),
        ["--snapshot-catchup-entries"] = ("entries kept past a snapshot for slow followers (default 5000)", (o, v) => o with { SnapshotCatchUpEntries = Positive(v) }),
    };

    public static string Usage =>
        "Usage: statestore server [flags]\n\nFlags:\n" + string.Join("\n", Flags.Select(f => $"  {f.Key,-30} {f.Value.Help}"));

    public static ServerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ServerOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            if (!Flags.TryGetValue(name, out var flag))
            {
                throw new UsageException(name.StartsWith('-') ? $"unknown flag: {name}" : $"unexpected argument: {arg}");
            }
            string value;
            if (equals > 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"flag needs an argument: {name}");
            }
            try
            {
                options = flag.Apply(options, value);
            }
            catch (FormatException e)
            {
                throw new UsageException($"invalid value \"{value}\" for {name}: {e.Message}");
            }
        }
        return Validate(options);
    }

    private static ServerOptions Validate(ServerOptions options)
    {
        if (options.HeartbeatInterval * 5 > options.ElectionTimeout)
        {
            throw new UsageException($"--election-timeout ({options.ElectionTimeout.TotalMilliseconds} ms) should be at least 5 times --heartbeat-interval ({options.HeartbeatInterval.TotalMilliseconds} ms)");
        }
        var self = options.Cluster.Where(m => m.Name == options.Name).ToList();
        if (self.Count != 1)
        {
            throw new UsageException($"--initial-cluster must name this member ('{options.Name}') exactly once");
        }
        if (!self[0].Peer.Equals(options.PeerEndPoint))
        {
            throw new UsageException($"--initial-cluster gives '{options.Name}' the peer URL {self[0].Peer}, but its advertised peer URL (--initial-advertise-peer-urls, else --listen-peer-urls) is {options.PeerEndPoint}");
        }
        if (options.Cluster.Select(m => m.Name).Distinct().Count() != options.Cluster.Count || options.Cluster.Select(m => m.Peer).Distinct().Count() != options.Cluster.Count)
        {
            throw new UsageException("--initial-cluster names a member or a peer URL twice");
        }
        return options;
    }

    private static string NonEmpty(string value) => value.Length > 0 ? value : throw new FormatException("must not be empty");

    private static IReadOnlyList<Uri> Urls(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } parts
            ? parts.Select(p => { var url = Endpoints.ParseUrl(p); Endpoints.Parse(url); return url; }).ToList()
            : throw new FormatException("needs at least one URL");

    private static Uri SingleUrl(string value) =>
        Urls(value) is [var url] ? url : throw new FormatException("takes exactly one URL");

    private static IReadOnlyList<(string, IPEndPoint)> Cluster(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(member =>
        {
            var at = member.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new FormatException($"'{member}' is not name=peer-url");
            }
            return (member[..at], Endpoints.Parse(Endpoints.ParseUrl(member[(at + 1)..])));
        }).ToList() is { Count: > 0 } members ? members : throw new FormatException("names no member");

    private static TimeSpan Milliseconds(string value) =>
        int.TryParse(value, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : throw new FormatException("must be a positive number of milliseconds");

    private static long Positive(string value) =>
        long.TryParse(value, out var n) && n > 0 ? n : throw new FormatException("must be a positive number");
}

/// <summary>The command line is wrong; the message says what and names the flag.</summary>
internal sealed class UsageException(string message) : Exception(message);
