using System.Globalization;
using System.Text;
using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Nemesis;

namespace StateStore.Jepsen.Core.Report;

/// <summary>
/// Latency over time as an SVG: one dot per op at (invocation time, latency) on a log scale, coloured by
/// type, failed ops as orange crosses, Unknown ops as red ticks along the top, and the nemesis windows shaded
/// and labelled — Jepsen's latency-raw plot.
/// </summary>
public static class LatencyPlot
{
    private const int Width = 1100, Height = 420, Left = 60, Right = 20, Top = 30, Bottom = 40;

    public static string Svg(IReadOnlyList<Operation> history, IReadOnlyList<NemesisWindow> windows, string title)
    {
        var endNs = Math.Max(1, history.Select(o => o.CompleteNs ?? o.InvokeNs).Concat(windows.Select(w => w.EndNs)).DefaultIfEmpty(1).Max());
        var maxMs = Math.Max(10, history.Where(o => o.CompleteNs is not null).Select(LatencyMs).DefaultIfEmpty(10).Max());
        double minLog = Math.Log10(0.1), maxLog = Math.Log10(maxMs * 1.5);
        double X(long ns) => Left + (Width - Left - Right) * (double)ns / endNs;
        double Y(double ms) => Top + (Height - Top - Bottom) * (1 - (Math.Log10(Math.Max(ms, 0.1)) - minLog) / (maxLog - minLog));
        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        svg.Append(F($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n<text x=\"{Left}\" y=\"18\" font-size=\"13\">{Escape(title)}</text>\n"));
        foreach (var w in windows)
        {
            svg.Append(F($"<rect x=\"{X(w.StartNs):F1}\" y=\"{Top}\" width=\"{Math.Max(1, X(w.EndNs) - X(w.StartNs)):F1}\" height=\"{Height - Top - Bottom}\" fill=\"#f4c7c3\" fill-opacity=\"0.6\"><title>{Escape(w.Nemesis)} {Escape(w.Target)}</title></rect>\n"));
            svg.Append(F($"<text x=\"{X(w.StartNs) + 2:F1}\" y=\"{Top + 12}\" fill=\"#a33\">{Escape(w.Nemesis)} {Escape(w.Target)}</text>\n"));
        }
        for (var ms = 0.1; ms <= maxMs * 1.5; ms *= 10)
        {
            svg.Append(F($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Y(ms):F1}\" y2=\"{Y(ms):F1}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{Y(ms) + 4:F1}\">{ms:0.#} ms</text>\n"));
        }
        for (var s = 0; s <= endNs / 1e9; s += Math.Max(1, (int)(endNs / 1e9 / 10)))
        {
            svg.Append(F($"<text x=\"{X((long)(s * 1e9)):F1}\" y=\"{Height - Bottom + 15}\" text-anchor=\"middle\">{s} s</text>\n"));
        }
        foreach (var op in history)
        {
            var x = X(op.InvokeNs);
            svg.Append(op switch
            {
                { Outcome: Outcome.Unknown } => F($"<line x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"{Top}\" y2=\"{Top + 8}\" stroke=\"red\"><title>{Escape(op.ToString())}</title></line>\n"),
                { Outcome: Outcome.Fail } => F($"<text x=\"{x:F1}\" y=\"{Y(LatencyMs(op)):F1}\" fill=\"orange\" text-anchor=\"middle\">x</text>\n"),
                _ => F($"<circle cx=\"{x:F1}\" cy=\"{Y(LatencyMs(op)):F1}\" r=\"1.6\" fill=\"{Colour(op.Type)}\"/>\n"),
            });
        }
        svg.Append(F($"<text x=\"{Width - 330}\" y=\"18\"><tspan fill=\"{Colour(OpType.Read)}\">● read</tspan> <tspan fill=\"{Colour(OpType.Write)}\">● write</tspan> <tspan fill=\"{Colour(OpType.Cas)}\">● cas</tspan> <tspan fill=\"orange\">x fail</tspan> <tspan fill=\"red\">| unknown</tspan> <tspan fill=\"#a33\">▮ nemesis</tspan></text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static double LatencyMs(Operation op) => ((op.CompleteNs ?? op.InvokeNs) - op.InvokeNs) / 1e6;

    private static string Colour(OpType type) => type switch { OpType.Read => "#1f77b4", OpType.Write => "#2ca02c", _ => "#9467bd" };

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
