using System.Diagnostics;
using System.Text.Json;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// The real <c>etcdctl</c> binary (etcd 3.4's, v3 API) pointed at a cluster's client URLs, as an operator runs it.
/// Every run is a separate process with a deadline; <see cref="Start"/> keeps one running (for <c>watch</c>).
/// </summary>
public sealed class Etcdctl(IReadOnlyList<string> endpoints) : CliTool("etcdctl")
{
    /// <summary>Why the etcdctl tests are skipped where the binary is missing.</summary>
    public const string MissingReason = "etcdctl not installed (apt-get install etcd-client)";

    /// <summary>etcdctl's full path from PATH, or null where it is not installed.</summary>
    public static string? BinaryPath { get; } = FindOnPath("etcdctl");

    public IReadOnlyList<string> Endpoints { get; } = endpoints;

    protected override ProcessStartInfo StartInfo(IReadOnlyList<string> args)
    {
        var info = NewStartInfo(BinaryPath ?? throw new InvalidOperationException(MissingReason));
        // Only the flags given here count: no ETCDCTL_ENDPOINTS or the like from whoever runs the tests.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ETCDCTL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["ETCDCTL_API"] = "3";
        foreach (var argument in (string[])[$"--endpoints={string.Join(',', Endpoints)}", "--dial-timeout=5s", "--command-timeout=15s", .. args])
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }
}

/// <summary>Reading etcdctl's <c>-w json</c> output: keys and values are base64, ids and revisions numbers.</summary>
public static class EtcdctlJson
{
    /// <summary>The UTF-8 text of a base64 field (<c>key</c>, <c>value</c>); "" where etcdctl left it out (empty).</summary>
    public static string Text(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(value.GetString()!)) : "";

    /// <summary>A number field; 0 where etcdctl left it out (zero).</summary>
    public static long Number(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetInt64() : 0;

    /// <summary>header.revision.</summary>
    public static long Revision(this JsonElement element) => element.GetProperty("header").GetProperty("revision").GetInt64();

    /// <summary>The members of <c>member list -w json</c> (or of member add/remove's answer), in the order printed.</summary>
    public static IReadOnlyList<EtcdctlMember> Members(this JsonElement element) =>
        element.GetProperty("members").EnumerateArray().Select(m => new EtcdctlMember(
            m.GetProperty("ID").GetUInt64(),
            m.TryGetProperty("name", out var name) ? name.GetString()! : "",
            Strings(m, "peerURLs"),
            Strings(m, "clientURLs"))).ToList();

    private static string Strings(JsonElement element, string property) =>
        element.TryGetProperty(property, out var list) ? string.Join(',', list.EnumerateArray().Select(u => u.GetString())) : "";
}

/// <summary>One member as etcdctl prints it; several URLs are joined with commas.</summary>
public sealed record EtcdctlMember(ulong Id, string Name, string PeerUrls, string ClientUrls);
