using System.Diagnostics;

namespace StateStore.Testing.Processes;

/// <summary>
/// Members in network namespaces of their own, so that the links between them can be cut: each member gets a
/// namespace with a veth whose other end is on a bridge in the root namespace, and an address 10.231.N.(i+2) of
/// a /24 that the bridge (10.231.N.1) also holds, so clients in the root namespace reach every member. A cut of
/// the link A–B replaces, on each side, the neighbour entry of the other with a MAC address nobody has: frames
/// between them go nowhere and are lost without an answer, as on a broken network (no iptables or tc needed,
/// only iproute2). Clients keep reaching every member. Needs root and namespaces; <see cref="UnavailableReason"/>
/// says why not where they cannot be made.
/// </summary>
public sealed class MemberNetwork : IDisposable
{
    /// <summary>A unicast MAC address no interface has: frames sent to it are flooded by the bridge and dropped by every receiver.</summary>
    private const string Nowhere = "02:00:00:5e:00:01";

    private static readonly Lazy<string?> Unavailable = new(Probe);
    private static int _networks;

    private readonly string _id;
    private readonly int _subnet;
    private readonly List<string> _namespaces = [];
    private readonly HashSet<(int, int)> _cuts = [];

    private MemberNetwork(string id, int subnet)
    {
        _id = id;
        _subnet = subnet;
    }

    /// <summary>Null where members can run in namespaces of their own; otherwise why not (partition nemeses are skipped then).</summary>
    public static string? UnavailableReason => Unavailable.Value;

    /// <summary>A bridge for the members of one cluster; members join with <see cref="Join"/>.</summary>
    public static MemberNetwork Create()
    {
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }
        // Distinct per process and per network, so that concurrent runs (and leftovers of a killed one) do not collide.
        var number = Interlocked.Increment(ref _networks);
        var subnet = (Environment.ProcessId * 7 + number) % 250 + 2;
        var network = new MemberNetwork($"{Environment.ProcessId % 10000}n{number}", subnet);
        IpCommand.Run("link", "add", network.Bridge, "type", "bridge");
        IpCommand.Run("addr", "add", $"10.231.{subnet}.1/24", "dev", network.Bridge);
        IpCommand.Run("link", "set", network.Bridge, "up");
        return network;
    }

    private string Bridge => $"ssb{_id}";

    /// <summary>The members joined so far.</summary>
    public int Count => _namespaces.Count;

    /// <summary>Makes the namespace of the next member and returns its index.</summary>
    public int Join()
    {
        var index = _namespaces.Count;
        var ns = $"statestore-{_id}-m{index}";
        var host = $"ss{_id}m{index}";
        IpCommand.Run("netns", "add", ns);
        _namespaces.Add(ns);
        IpCommand.Run("link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns);
        IpCommand.Run("link", "set", host, "master", Bridge);
        IpCommand.Run("link", "set", host, "up");
        IpCommand.Run("-n", ns, "link", "set", "lo", "up");
        IpCommand.Run("-n", ns, "addr", "add", $"{Address(index)}/24", "dev", "eth0");
        IpCommand.Run("-n", ns, "link", "set", "eth0", "up");
        return index;
    }

    /// <summary>The address of member <paramref name="index"/>.</summary>
    public string Address(int index) => $"10.231.{_subnet}.{index + 2}";

    /// <summary>The index of the member at <paramref name="address"/>.</summary>
    public int IndexOf(string address) =>
        Enumerable.Range(0, Count).FirstOrDefault(i => Address(i) == address, -1) is var index and >= 0 ? index : throw new ArgumentException($"no member at {address}");

    /// <summary>The command that runs a program inside member <paramref name="index"/>'s namespace (it execs the program, so the pid is the program's).</summary>
    public IReadOnlyList<string> Launcher(int index) => ["ip", "netns", "exec", _namespaces[index]];

    /// <summary>Cuts the link between members <paramref name="a"/> and <paramref name="b"/>, both ways.</summary>
    public void Cut(int a, int b)
    {
        lock (_cuts)
        {
            if (a == b || !_cuts.Add((Math.Min(a, b), Math.Max(a, b))))
            {
                return;
            }
        }
        IpCommand.Run("-n", _namespaces[a], "neigh", "replace", Address(b), "lladdr", Nowhere, "nud", "permanent", "dev", "eth0");
        IpCommand.Run("-n", _namespaces[b], "neigh", "replace", Address(a), "lladdr", Nowhere, "nud", "permanent", "dev", "eth0");
    }

    /// <summary>The links cut now, as pairs of member indexes.</summary>
    public IReadOnlyList<(int A, int B)> Cuts
    {
        get
        {
            lock (_cuts)
            {
                return [.. _cuts];
            }
        }
    }

    /// <summary>Mends every cut link: the neighbour entries go, and the members find each other again by ARP.</summary>
    public void Heal()
    {
        List<(int A, int B)> cuts;
        lock (_cuts)
        {
            cuts = [.. _cuts];
            _cuts.Clear();
        }
        foreach (var (a, b) in cuts)
        {
            IpCommand.Run("-n", _namespaces[a], "neigh", "del", Address(b), "dev", "eth0");
            IpCommand.Run("-n", _namespaces[b], "neigh", "del", Address(a), "dev", "eth0");
        }
    }

    /// <summary>Removes the namespaces (their veths go with them) and the bridge; the members' processes must be gone first.</summary>
    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            IpCommand.TryRun("netns", "del", ns);
        }
        _namespaces.Clear();
        IpCommand.TryRun("link", "del", Bridge);
    }

    /// <summary>Makes and removes a namespace, a bridge and a veth pair, as <see cref="Create"/> and <see cref="Join"/> will.</summary>
    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network partitions need Linux network namespaces";
        }
        var probe = new MemberNetwork($"{Environment.ProcessId % 10000}p", 1);
        try
        {
            IpCommand.Run("link", "add", probe.Bridge, "type", "bridge");
            probe.Join();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"network partitions need root and network namespaces (ip netns, veth, bridge), which this machine refused: {e.Message}";
        }
        finally
        {
            probe.Dispose();
        }
    }

    /// <summary>iproute2's <c>ip</c>.</summary>
    private static class IpCommand
    {
        public static void Run(params string[] arguments)
        {
            if (TryRun(arguments) is { } error)
            {
                throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {error}");
            }
        }

        /// <summary>Runs <c>ip</c>; null when it succeeded, else what it said.</summary>
        public static string? TryRun(params string[] arguments)
        {
            using var ip = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = ip.StandardError.ReadToEnd();
            ip.WaitForExit();
            return ip.ExitCode == 0 ? null : $"exit {ip.ExitCode}: {error.Trim()}";
        }
    }
}
