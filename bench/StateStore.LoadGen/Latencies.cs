using System.Diagnostics;

namespace StateStore.LoadGen;

/// <summary>Latency samples of one test, and the summary line every test prints.</summary>
internal sealed class Latencies
{
    private readonly List<double> _ms = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Add(TimeSpan latency)
    {
        lock (_ms)
        {
            _ms.Add(latency.TotalMilliseconds);
        }
    }

    public Result Summarize(string test)
    {
        var elapsed = _clock.Elapsed.TotalSeconds;
        lock (_ms)
        {
            _ms.Sort();
            double At(double q) => _ms.Count == 0 ? double.NaN : _ms[Math.Min(_ms.Count - 1, (int)(q * _ms.Count))];
            return new Result(test, _ms.Count, _ms.Count / elapsed, At(0.5), At(0.99), _ms.Count == 0 ? double.NaN : _ms[^1]);
        }
    }
}

/// <summary>One test's outcome: operations, rate, and latency percentiles in milliseconds.</summary>
internal sealed record Result(string Test, int Operations, double PerSecond, double P50, double P99, double Max)
{
    public double? Extra { get; init; }

    public override string ToString() =>
        $"{Test,-28} ops={Operations,7} rate={PerSecond,9:F0}/s p50={P50,8:F2}ms p99={P99,8:F2}ms max={Max,8:F2}ms" + (Extra is { } x ? $" extra={x:F3}" : "");

    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this);
}
