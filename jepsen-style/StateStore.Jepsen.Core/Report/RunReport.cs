using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Validate;

namespace StateStore.Jepsen.Core.Report;

/// <summary>
/// Writes a run's folder: history.jsonl (every op), watches.jsonl (every event each watcher received),
/// committed.jsonl (the history read at the end), nemesis.jsonl (the fault windows), verdict.txt (the summary,
/// each violation, and for a key that is not linearizable the op no order could place and the failing
/// sub-history), latency.svg, and summary.txt (the one line).
/// </summary>
public static class RunReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task WriteAsync(string folder, Verdict verdict, IReadOnlyList<WatchEvent> committed, string title, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await WriteLinesAsync(Path.Combine(folder, "history.jsonl"), verdict.History, cancellationToken);
        await WriteLinesAsync(Path.Combine(folder, "watches.jsonl"),
            verdict.Watches.SelectMany(w => w.Events.Select(e => new { watcher = w.Name, e.Member, e.Session, e.Response, e.ReceivedNs, e.Event.Revision, e.Event.Key, e.Event.Delete, e.Event.Value })), cancellationToken);
        await WriteLinesAsync(Path.Combine(folder, "committed.jsonl"), committed, cancellationToken);
        await WriteLinesAsync(Path.Combine(folder, "nemesis.jsonl"), verdict.Windows, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "verdict.txt"), Describe(verdict), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "latency.svg"), LatencyPlot.Svg(verdict.History, verdict.Windows, title), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "summary.txt"), verdict.Summary() + "\n", cancellationToken);
    }

    /// <summary>The verdict as text: summary line, violations, then each failing key's witness.</summary>
    public static string Describe(Verdict verdict)
    {
        var text = new StringBuilder().AppendLine(verdict.Summary());
        foreach (var violation in verdict.Violations)
        {
            text.AppendLine().AppendLine(violation.ToString());
            foreach (var op in violation.SubHistory ?? [])
            {
                text.AppendLine("    " + op);
            }
        }
        return text.ToString();
    }

    /// <summary>Reads a history.jsonl back (to check it again, or to feed it altered to the checkers).</summary>
    public static Task<IReadOnlyList<Operation>> ReadHistoryAsync(string file, CancellationToken cancellationToken) => ReadLinesAsync<Operation>(file, cancellationToken);

    /// <summary>Reads a committed.jsonl back.</summary>
    public static Task<IReadOnlyList<WatchEvent>> ReadCommittedAsync(string file, CancellationToken cancellationToken) => ReadLinesAsync<WatchEvent>(file, cancellationToken);

    private static async Task<IReadOnlyList<T>> ReadLinesAsync<T>(string file, CancellationToken cancellationToken) =>
        (await File.ReadAllLinesAsync(file, cancellationToken)).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<T>(l, Json)!).ToList();

    private static async Task WriteLinesAsync<T>(string file, IEnumerable<T> items, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(file);
        foreach (var item in items)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(item, Json).AsMemory(), cancellationToken);
        }
    }
}
