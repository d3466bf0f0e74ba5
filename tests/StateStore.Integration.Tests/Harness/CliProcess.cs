using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// A command-line tool that keeps running (etcdctl <c>watch</c>, kubectl <c>get -w</c>): its stdout lines are read as they come, its stderr kept for
/// failure messages, and the process is killed when disposed.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly string _command;
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _read = [];

    internal CliProcess(string command, Process process)
    {
        _command = command;
        _process = process;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Writer.TryWrite(line);
            }
            else
            {
                _lines.Writer.TryComplete();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The next <paramref name="count"/> stdout lines; fails with everything printed so far if they do not come in time.</summary>
    public async Task<IReadOnlyList<string>> ReadLinesAsync(int count, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        var lines = new List<string>();
        try
        {
            while (lines.Count < count)
            {
                lines.Add(await _lines.Reader.ReadAsync(deadline.Token));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string stderr;
            lock (_stderr)
            {
                stderr = _stderr.ToString();
            }
            var ended = _process.HasExited ? $"exited {_process.ExitCode}" : "still running";
            throw new TimeoutException($"`{_command}` ({ended}) printed {lines.Count} of {count} lines awaited:\n"
                + $"--- earlier lines\n{string.Join('\n', _read)}\n--- awaited lines\n{string.Join('\n', lines)}\n--- stderr\n{stderr}");
        }
        finally
        {
            _read.AddRange(lines);
        }
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
