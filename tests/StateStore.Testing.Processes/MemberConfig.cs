using StateStore.Testing;

namespace StateStore.Testing.Processes;

/// <summary>
/// Where one member lives: its name, data folder and three ports (etcd client, Raft peer, HTTP API) on its
/// address (loopback, or its own address in a <see cref="MemberNetwork"/>).
/// </summary>
public sealed record MemberConfig(string Name, string DataDirectory, int ClientPort, int PeerPort, int ApiPort, string Host = "127.0.0.1")
{
    /// <summary>A member with fresh ports from <paramref name="ports"/> (the integration tests' block when null) on <paramref name="host"/>.</summary>
    public static MemberConfig Allocate(string name, string dataDirectory, LoopbackPorts? ports = null, string host = "127.0.0.1")
    {
        ports ??= LoopbackPorts.Integration;
        return new(name, dataDirectory, ports.Next(), ports.Next(), ports.Next(), host);
    }

    public string ClientUrl => $"http://{Host}:{ClientPort}";

    public string PeerUrl => $"http://{Host}:{PeerPort}";

    public string ApiUrl => $"http://{Host}:{ApiPort}";

    /// <summary>The flags that place the member: name, data folder and the three listen URLs.</summary>
    public IReadOnlyList<string> Flags =>
    [
        "--name", Name,
        "--data-dir", DataDirectory,
        "--listen-client-urls", ClientUrl,
        "--listen-peer-urls", PeerUrl,
        "--listen-api-urls", ApiUrl,
    ];
}
