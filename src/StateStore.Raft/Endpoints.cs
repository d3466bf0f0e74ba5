using System.Net;

namespace StateStore.Raft;

/// <summary>URL ↔ endpoint conversions for flags: "http://127.0.0.1:2380", "127.0.0.1:2380" and "localhost:2380".</summary>
public static class Endpoints
{
    public static IPEndPoint Parse(Uri url)
    {
        var address = url.Host is "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(url.Host.Trim('[', ']'), out var parsed) ? parsed
            : throw new FormatException($"'{url}' must name an IP address (or localhost)");
        if (url.Port <= 0)
        {
            throw new FormatException($"'{url}' has no port");
        }
        return new IPEndPoint(address, url.Port);
    }

    /// <summary>The peer URL of an endpoint, as etcd lists it.</summary>
    public static string ToUrl(EndPoint endpoint) => $"http://{endpoint}";

    /// <summary>A URL from flag text; a bare host:port means http://host:port.</summary>
    public static Uri ParseUrl(string text)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.IsDefaultPort && !text.Contains(':'))
        {
            throw new FormatException($"'{text}' is not a URL like http://127.0.0.1:2379");
        }
        if (url.Scheme == "https")
        {
            throw new FormatException($"'{text}': TLS is not supported yet; use http://");
        }
        return url;
    }
}
