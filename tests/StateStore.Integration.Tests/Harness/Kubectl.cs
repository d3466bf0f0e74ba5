using System.Diagnostics;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// The machine's real kubectl pointed at one API server URL through its own kubeconfig and discovery cache
/// (nothing of the user's ~/.kube is read), as a user runs it.
/// </summary>
public sealed class Kubectl : CliTool
{
    /// <summary>Why the kubectl tests are skipped where the binary is missing.</summary>
    public const string MissingReason = "kubectl not installed";

    /// <summary>Why the kubectl 1.20 tests are skipped where it has not been extracted.</summary>
    public const string Missing120Reason = "kubectl 1.20 not found (./test.sh extracts it from Debian's kubernetes-client into .tools/kubectl-1.20; or set STATESTORE_KUBECTL_1_20)";

    private readonly string _kubeconfig;
    private readonly string _cacheDirectory;
    private readonly string? _binary;

    /// <param name="binary">The kubectl to run: the machine's (from PATH) unless given, e.g. <see cref="Legacy120Path"/>.</param>
    public Kubectl(string apiUrl, string folder, string? binary = null)
        : base("kubectl")
    {
        _binary = binary ?? BinaryPath;
        Directory.CreateDirectory(folder);
        _kubeconfig = Path.Combine(folder, "kubeconfig");
        _cacheDirectory = Path.Combine(folder, "cache");
        File.WriteAllText(_kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters: [{"{"}name: statestore, cluster: {"{"}server: "{apiUrl}"{"}"}{"}"}]
            users: [{"{"}name: user, user: {"{"}{"}"}{"}"}]
            contexts: [{"{"}name: statestore, context: {"{"}cluster: statestore, user: user, namespace: default{"}"}{"}"}]
            current-context: statestore
            """);
    }

    /// <summary>kubectl's full path from PATH, or null where it is not installed.</summary>
    public static string? BinaryPath { get; } = FindOnPath("kubectl");

    /// <summary>
    /// Debian's kubectl 1.20 (the oldest client the API is meant for), where ./test.sh extracted it or
    /// STATESTORE_KUBECTL_1_20 points; null where neither has it.
    /// </summary>
    public static string? Legacy120Path { get; } = new[]
    {
        Environment.GetEnvironmentVariable("STATESTORE_KUBECTL_1_20"),
        Path.Combine(StateStore.Testing.Processes.ServerBinary.RepositoryRoot(), ".tools", "kubectl-1.20", "usr", "bin", "kubectl"),
    }.FirstOrDefault(File.Exists);

    protected override ProcessStartInfo StartInfo(IReadOnlyList<string> args)
    {
        var info = NewStartInfo(_binary ?? throw new InvalidOperationException(MissingReason));
        info.Environment.Remove("KUBECONFIG");
        info.Environment["HOME"] = Path.GetDirectoryName(_kubeconfig)!;
        foreach (var argument in (string[])[$"--kubeconfig={_kubeconfig}", $"--cache-dir={_cacheDirectory}", "--request-timeout=20s", .. args])
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }

    /// <summary>Writes a manifest into the kubeconfig's folder and answers its path (for <c>-f</c>).</summary>
    public string Manifest(string name, string yaml)
    {
        var path = Path.Combine(Path.GetDirectoryName(_kubeconfig)!, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
