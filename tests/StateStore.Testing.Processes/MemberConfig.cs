using StateStore.Testing;

namespace StateStore.Testing.Processes;

/// <summary>
/// Where one member lives: its name, data folder and three ports (etcd client, Raft peer, HTTP API) on its
/// address (loopback, or its own address in a <see cref="MemberNetwork"/>). <paramref name="PeerPort"/> is the Raft port the
/// cluster knows the member by; behind a <see cref="PeerProxy"/> the member listens on <paramref name="ListenPeerPort"/>
/// instead and the proxy on <paramref name="PeerPort"/>.
/// </summary>
public sealed record MemberConfig(string Name, string DataDirectory, int ClientPort, int PeerPort, int ApiPort, string Host = "127.0.0.1", int? ListenPeerPort = null)
{
    /// <summary>
    /// A member with fresh ports from <paramref name="ports"/> (the integration tests' block when null) on <paramref name="host"/>,
    /// and one more to listen on behind a proxy when <paramref name="proxied"/>.
    /// </summary>
    public static MemberConfig Allocate(string name, string dataDirectory, LoopbackPorts? ports = null, string host = "127.0.0.1", bool proxied = false)
    {
        ports ??= LoopbackPorts.Integration;
        return new(name, dataDirectory, ports.Next(), ports.Next(), ports.Next(), host, proxied ? ports.Next() : null);
    }

    /// <summary>Where the member itself listens for Raft: behind its proxy, or its <see cref="PeerUrl"/>.</summary>
    public string ListenPeerUrl => ListenPeerPort is { } port ? $"http://{Host}:{port}" : PeerUrl;

    public string ClientUrl => $"http://{Host}:{ClientPort}";

    public string PeerUrl => $"http://{Host}:{PeerPort}";

    public string ApiUrl => $"http://{Host}:{ApiPort}";

    /// <summary>The flags that place the member: name, data folder and the three listen URLs.</summary>
    public IReadOnlyList<string> Flags =>
    [
        "--name", Name,
        "--data-dir", DataDirectory,
        "--listen-client-urls", ClientUrl,
        "--listen-peer-urls", ListenPeerUrl,
        "--listen-api-urls", ApiUrl,
        .. ListenPeerPort is null ? (string[])[] : ["--initial-advertise-peer-urls", PeerUrl],
    ];
}
