using StateStore.Testing;

namespace StateStore.Testing.Processes;

/// <summary>Where one member lives: its name, data folder and three loopback ports (etcd client, Raft peer, HTTP API).</summary>
public sealed record MemberConfig(string Name, string DataDirectory, int ClientPort, int PeerPort, int ApiPort)
{
    /// <summary>A member with fresh ports from <paramref name="ports"/> (the integration tests' block when null).</summary>
    public static MemberConfig Allocate(string name, string dataDirectory, LoopbackPorts? ports = null)
    {
        ports ??= LoopbackPorts.Integration;
        return new(name, dataDirectory, ports.Next(), ports.Next(), ports.Next());
    }

    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    public string PeerUrl => $"http://127.0.0.1:{PeerPort}";

    public string ApiUrl => $"http://127.0.0.1:{ApiPort}";

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
