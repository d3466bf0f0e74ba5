using System.Net;
using System.Net.Sockets;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// Free 127.0.0.1 ports for server processes. They are drawn below Linux's ephemeral range (32768–60999),
/// so no outgoing connection takes one between the probe here and the server's bind, and each is handed
/// out once per test run, so a restarted member keeps its ports and no other member gets them.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20000, Last = 32000;
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (!Given.Contains(port) && CanBind(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"no free loopback port in {First}-{Last}");
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
