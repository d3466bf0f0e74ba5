using StateStore.Testing;
namespace StateStore.Integration.Tests.Harness;

/// <summary>Where one member lives: its name, data folder and three loopback ports (etcd client, Raft peer, HTTP API).</summary>
public sealed record MemberConfig(string Name, string DataDirectory, int ClientPort, int PeerPort, int ApiPort)
{
    /// <summary>A member with fresh ports.</summary>
    public static MemberConfig Allocate(string name, string dataDirectory) =>
        new(name, dataDirectory, LoopbackPorts.Integration.Next(), LoopbackPorts.Integration.Next(), LoopbackPorts.Integration.Next());

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
