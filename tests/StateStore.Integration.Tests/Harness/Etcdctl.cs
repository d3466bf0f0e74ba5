using System.Diagnostics;
using System.Text.Json;

namespace StateStore.Integration.Tests.Harness;

/// <summary>What one etcdctl run printed and how it ended.</summary>
public sealed record EtcdctlResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout's lines, without the empty line after the last newline.</summary>
    public IReadOnlyList<string> Lines => Stdout.Length == 0 ? [] : Stdout.TrimEnd('\n').Split('\n');

    /// <summary>Stdout parsed as JSON (for <c>-w json</c>).</summary>
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    /// <summary>Fails, showing everything etcdctl printed, unless it exited 0; returns itself.</summary>
    public EtcdctlResult Succeeded()
    {
        Assert.True(ExitCode == 0, $"{this} failed");
        return this;
    }

    /// <summary>Fails unless etcdctl exited with <paramref name="exitCode"/> and said <paramref name="error"/> on stderr.</summary>
    public void FailedWith(int exitCode, string error)
    {
        Assert.True(ExitCode == exitCode, $"{this}: expected exit code {exitCode}");
        Assert.Contains(error, Stderr);
    }

    public override string ToString() => $"`etcdctl {Command}` exited {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The real <c>etcdctl</c> binary (etcd 3.4's, v3 API) pointed at a cluster's client URLs, as an operator runs it.
/// Every run is a separate process with a deadline; <see cref="Start"/> keeps one running (for <c>watch</c>).
/// </summary>
public sealed class Etcdctl(IReadOnlyList<string> endpoints)
{
    /// <summary>Why the etcdctl tests are skipped where the binary is missing.</summary>
    public const string MissingReason = "etcdctl not installed (apt-get install etcd-client)";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>etcdctl's full path from PATH, or null where it is not installed.</summary>
    public static string? BinaryPath { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "etcdctl"))
        .FirstOrDefault(File.Exists);

    public IReadOnlyList<string> Endpoints { get; } = endpoints;

    /// <summary>Runs <c>etcdctl ARGS</c> to its end, with <paramref name="stdin"/> as its input; killed after <paramref name="timeout"/> (30 s).</summary>
    public async Task<EtcdctlResult> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Launch(args);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.StandardInput.WriteAsync(stdin ?? "");
            process.StandardInput.Close();
            await process.WaitForExitAsync(deadline.Token);
            return new EtcdctlResult(string.Join(' ', args), process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"`etcdctl {string.Join(' ', args)}` did not end within {timeout ?? DefaultTimeout}");
        }
    }

    /// <summary>Runs etcdctl with <paramref name="args"/> split at spaces (none of them may hold one) and fails unless it exits 0.</summary>
    public async Task<EtcdctlResult> SucceedsAsync(string args, CancellationToken cancellationToken, string? stdin = null) =>
        (await RunAsync(args.Split(' '), cancellationToken, stdin)).Succeeded();

    /// <summary>Starts <c>etcdctl ARGS</c> and keeps it running, its output read line by line as it comes.</summary>
    public EtcdctlProcess Start(IReadOnlyList<string> args) => new(string.Join(' ', args), Launch(args));

    private Process Launch(IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(BinaryPath ?? throw new InvalidOperationException(MissingReason))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        return Process.Start(info)!;
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
