namespace StateStore.EtcdApi.Http2;

/// <summary>
/// Turns an <c>:authority</c> that is a whole URL (<c>http://127.0.0.1:2379</c>, as etcdctl 3.4 sends for
/// per-endpoint calls) into a host Kestrel accepts, of exactly the same length: the scheme stays, the
/// separator and any path become dashes before the host (<c>http---127.0.0.1:2379</c>).
/// </summary>
internal static class AuthorityRepair
{
    /// <summary>The repaired authority, or null when it needs no repair or cannot be repaired.</summary>
    public static string? Repair(string authority)
    {
        var separator = authority.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return null;
        }
        var scheme = authority[..separator];
        var rest = authority[(separator + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hostPort = slash < 0 ? rest : rest[..slash];
        if (!scheme.All(char.IsAsciiLetter) || !IsHostPort(hostPort))
        {
            return null;
        }
        return scheme + new string('-', authority.Length - scheme.Length - hostPort.Length) + hostPort;
    }

    /// <summary>A registered name or IPv4 address with an optional numeric port (IPv6 literals are left alone).</summary>
    private static bool IsHostPort(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        var host = colon < 0 ? hostPort : hostPort[..colon];
        var port = colon < 0 ? "" : hostPort[(colon + 1)..];
        return host.Length > 0
            && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            && (colon < 0 || (port.Length > 0 && port.All(char.IsAsciiDigit)));
    }
}
