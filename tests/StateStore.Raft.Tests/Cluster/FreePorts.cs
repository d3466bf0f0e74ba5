using System.Net;
using System.Net.Sockets;

namespace StateStore.Raft.Tests.Cluster;

/// <summary>Loopback ports nobody is listening on right now (asked of the OS, so parallel tests do not collide).</summary>
public static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
