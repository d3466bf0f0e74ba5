using System.Net;
using System.Net.Sockets;

namespace StateStore.Testing;

/// <summary>
/// Free 127.0.0.1 ports for test servers. They are drawn below Linux's ephemeral range (32768–60999),
/// so no outgoing connection takes one between the probe here and the server's bind, and each is handed
/// out once per test run, so a restarted member keeps its ports and no other member gets them. Each test
/// assembly draws from its own block (they run in parallel): <see cref="Raft"/>, <see cref="Integration"/>,
/// <see cref="Jepsen"/>.
/// </summary>
public sealed class LoopbackPorts(int first, int last)
{
    /// <summary>In-process Raft clusters.</summary>
    public static readonly LoopbackPorts Raft = new(10000, 20000);

    /// <summary>Server processes.</summary>
    public static readonly LoopbackPorts Integration = new(20000, 32000);

    /// <summary>Server processes of the fault-injection harness (jepsen-style/), tests and long runs.</summary>
    public static readonly LoopbackPorts Jepsen = new(32000, 32760);

    private readonly HashSet<int> _given = [];

    public int Next()
    {
        lock (_given)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(first, last);
                if (!_given.Contains(port) && CanBind(port))
                {
                    _given.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"no free loopback port in {first}-{last}");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
