using System.Diagnostics;

namespace StateStore.Testing.Processes;

// Faults through POSIX signals, as an operator or a dying machine delivers them.
public sealed partial class ServerProcess
{
    /// <summary>SIGKILL: the process dies at once, with whatever it had not written.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            _ended = true;
            process.Kill();
            await WaitForExitAsync(CancellationToken.None);
        }
        IsPaused = false;
    }

    /// <summary>SIGSTOP: the process freezes with its sockets open, as a stalled machine does.</summary>
    public void Pause()
    {
        Signal("STOP");
        IsPaused = true;
    }

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        Signal("CONT");
        IsPaused = false;
    }

    /// <summary>SIGTERM, then waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        _ended = true;
        Signal("TERM");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout ?? TimeSpan.FromSeconds(20)} of SIGTERM:\n{Tail(CurrentRunLog(), 30)}");
        }
    }

    /// <summary>Waits for the current run to exit (output included) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started");
        await process.WaitForExitAsync(cancellationToken);
        Live.TryRemove(process.Id, out _);
        return process.ExitCode;
    }

    /// <summary>How the current run ended, saying so when this harness did not end it (another program signalled it, or it failed).</summary>
    public string DescribeExit() =>
        _process is not { HasExited: true } process ? "has not exited"
        : _ended ? $"exited with code {process.ExitCode}"
        : $"exited with code {process.ExitCode} though this harness did not end it";

    private void Signal(string signal)
    {
        var pid = Pid;
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString()]) { RedirectStandardError = true })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} ({Name}) failed: {kill.StandardError.ReadToEnd()}");
        }
    }
}
