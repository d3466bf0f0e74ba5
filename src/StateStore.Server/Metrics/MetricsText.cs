using System.Globalization;
using System.Text;

namespace StateStore.Server.Metrics;

/// <summary>Writes samples in Prometheus's text exposition format (version 0.0.4), what etcd's /metrics serves.</summary>
internal sealed class MetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    public void Gauge(string name, string help, double value) => Single(name, help, "gauge", value);

    public void Counter(string name, string help, double value) => Single(name, help, "counter", value);

    public void Histogram(string name, string help, LatencyHistogram histogram)
    {
        var (cumulative, count, sum) = histogram.Read();
        Header(name, help, "histogram");
        for (var i = 0; i < histogram.UpperBounds.Count; i++)
        {
            _text.Append(name).Append("_bucket{le=\"").Append(Number(histogram.UpperBounds[i])).Append("\"} ").Append(cumulative[i]).Append('\n');
        }
        _text.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(count).Append('\n');
        _text.Append(name).Append("_sum ").Append(Number(sum)).Append('\n');
        _text.Append(name).Append("_count ").Append(count).Append('\n');
    }

    public override string ToString() => _text.ToString();

    private void Single(string name, string help, string type, double value)
    {
        Header(name, help, type);
        _text.Append(name).Append(' ').Append(Number(value)).Append('\n');
    }

    private void Header(string name, string help, string type) =>
        _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
