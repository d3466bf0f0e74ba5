namespace StateStore.Testing.Processes;

// The member's log file: every run appended, each headed by RunHeader.
public sealed partial class ServerProcess
{
    /// <summary>What the current (or last) run wrote.</summary>
    public string CurrentRunLog() => ReadLog(_runStart);

    /// <summary>Lines of the current run logged at error or critical level (fail:/crit:) or reporting an unhandled exception.</summary>
    public IReadOnlyList<string> CurrentRunErrors() =>
        CurrentRunLog().Split('\n').Where(line => line.Contains(" fail: ") || line.Contains(" crit: ") || line.Contains("Unhandled exception")).ToList();

    public static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_logLock)
        {
            _log.WriteLine(line);
        }
    }

    private string ReadLog(long from)
    {
        lock (_logLock)
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Position = Math.Min(from, stream.Length);
            return new StreamReader(stream).ReadToEnd();
        }
    }
}
