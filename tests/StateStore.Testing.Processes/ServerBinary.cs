using System.Diagnostics;
using System.Reflection;

namespace StateStore.Testing.Processes;

/// <summary>
/// The built <c>statestore</c> executable (src/StateStore.Cli's statestore.dll, run with <c>dotnet</c>) in the
/// configuration these tests were built in. The test project may not reference the executable (the
/// architecture test forbids referencing one, build-order-only references included), so the solution build
/// produces it; run alone, the tests build it once here when it is missing or older than src/.
/// </summary>
public static class ServerBinary
{
    private static readonly Lazy<Task<string>> Located = new(LocateOrBuildAsync);

    /// <summary>The full path of statestore.dll, built if needed.</summary>
    public static Task<string> PathAsync() => Located.Value;

    /// <summary>The folder holding StateStore.sln above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StateStore.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("StateStore.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<string> LocateOrBuildAsync()
    {
        var root = RepositoryRoot();
        var configuration = typeof(ServerBinary).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var project = Path.Combine(root, "src", "StateStore.Cli", "StateStore.Cli.csproj");
        var output = Path.Combine(root, "src", "StateStore.Cli", "bin", configuration, "net10.0");
        var dll = Path.Combine(output, "statestore.dll");
        if (File.Exists(dll) && NewestBuilt(output) >= NewestSource(Path.Combine(root, "src")))
        {
            return dll;
        }
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", configuration, "-nologo", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        })!;
        var stdout = build.StandardOutput.ReadToEndAsync();
        var stderr = build.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await build.WaitForExitAsync(timeout.Token);
        if (build.ExitCode != 0 || !File.Exists(dll))
        {
            throw new InvalidOperationException($"dotnet build {project} -c {configuration} failed ({build.ExitCode}):\n{await stdout}\n{await stderr}");
        }
        return dll;
    }

    /// <summary>
    /// The newest of the executable and the StateStore assemblies copied beside it: a change in any src
    /// project rewrites its own assembly there even when the executable's stays the same.
    /// </summary>
    private static DateTime NewestBuilt(string output) =>
        Directory.EnumerateFiles(output, "*.dll")
            .Where(f => Path.GetFileName(f) is var name && (name == "statestore.dll" || name.StartsWith("StateStore.", StringComparison.Ordinal)))
            .Max(File.GetLastWriteTimeUtc);

    private static DateTime NewestSource(string src) =>
        Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();
}
