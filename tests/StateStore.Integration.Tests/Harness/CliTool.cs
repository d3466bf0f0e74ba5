using System.Diagnostics;
using System.Text.Json;

namespace StateStore.Integration.Tests.Harness;

/// <summary>What one run of a command-line tool printed and how it ended.</summary>
public sealed record CliResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout's lines, without the empty line after the last newline.</summary>
    public IReadOnlyList<string> Lines => Stdout.Length == 0 ? [] : Stdout.TrimEnd('\n').Split('\n');

    /// <summary>Stdout parsed as JSON (for <c>-w json</c>, <c>-o json</c>).</summary>
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

    /// <summary>Fails, showing everything the tool printed, unless it exited 0; returns itself.</summary>
    public CliResult Succeeded()
    {
        Assert.True(ExitCode == 0, $"{this} failed");
        return this;
    }

    /// <summary>Fails unless the tool exited with <paramref name="exitCode"/> and said <paramref name="error"/> on stderr.</summary>
    public void FailedWith(int exitCode, string error)
    {
        Assert.True(ExitCode == exitCode, $"{this}: expected exit code {exitCode}");
        Assert.Contains(error, Stderr);
    }

    public override string ToString() => $"`{Command}` exited {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// A real command-line tool (etcdctl, kubectl) run as its users run it: every run a separate process with a
/// deadline; <see cref="Start"/> keeps one running (for <c>watch</c>, <c>get -w</c>).
/// </summary>
public abstract class CliTool(string name)
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The tool's full path from PATH, or null where it is not installed.</summary>
    protected static string? FindOnPath(string binary) => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, binary))
        .FirstOrDefault(File.Exists);

    /// <summary>How to start the tool with <paramref name="args"/> (the subclass adds its fixed flags and environment).</summary>
    protected abstract ProcessStartInfo StartInfo(IReadOnlyList<string> args);

    protected static ProcessStartInfo NewStartInfo(string path) => new(path)
    {
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };

    /// <summary>Runs the tool with ARGS to its end, with <paramref name="stdin"/> as its input; killed after <paramref name="timeout"/> (30 s).</summary>
    public async Task<CliResult> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null, TimeSpan? timeout = null)
    {
        var command = $"{name} {string.Join(' ', args)}";
        using var process = Process.Start(StartInfo(args))!;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.StandardInput.WriteAsync(stdin ?? "");
            process.StandardInput.Close();
            await process.WaitForExitAsync(deadline.Token);
            return new CliResult(command, process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"`{command}` did not end within {timeout ?? DefaultTimeout}");
        }
    }

    /// <summary>Runs the tool with <paramref name="args"/> split at spaces (none of them may hold one) and fails unless it exits 0.</summary>
    public async Task<CliResult> SucceedsAsync(string args, CancellationToken cancellationToken, string? stdin = null) =>
        (await RunAsync(args.Split(' '), cancellationToken, stdin)).Succeeded();

    /// <summary>Starts the tool and keeps it running, its output read line by line as it comes.</summary>
    public CliProcess Start(IReadOnlyList<string> args) => new($"{name} {string.Join(' ', args)}", Process.Start(StartInfo(args))!);
}
