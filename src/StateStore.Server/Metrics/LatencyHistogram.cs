namespace StateStore.Server.Metrics;

/// <summary>Counts observations (seconds) into fixed buckets, as a Prometheus histogram; safe to observe from any thread.</summary>
internal sealed class LatencyHistogram(IReadOnlyList<double> upperBounds)
{
    private readonly long[] _counts = new long[upperBounds.Count + 1];
    private readonly Lock _lock = new();
    private double _sum;

    /// <summary>etcd's buckets for disk latencies (<c>prometheus.ExponentialBuckets(0.001, 2, 14)</c>): 1 ms to 8.192 s.</summary>
    public static IReadOnlyList<double> DiskBuckets { get; } = [.. Enumerable.Range(0, 14).Select(i => 0.001 * Math.Pow(2, i))];

    /// <summary>etcd's buckets for peer round trips (<c>prometheus.ExponentialBuckets(0.0001, 2, 16)</c>): 0.1 ms to 3.3 s.</summary>
    public static IReadOnlyList<double> NetworkBuckets { get; } = [.. Enumerable.Range(0, 16).Select(i => 0.0001 * Math.Pow(2, i))];

    public IReadOnlyList<double> UpperBounds { get; } = upperBounds;

    public void Observe(double seconds)
    {
        var bucket = 0;
        while (bucket < UpperBounds.Count && seconds > UpperBounds[bucket])
        {
            bucket++;
        }
        lock (_lock)
        {
            _counts[bucket]++;
            _sum += seconds;
        }
    }

    /// <summary>Cumulative counts per upper bound (the +Inf bucket is the count), the count and the sum.</summary>
    public (long[] Cumulative, long Count, double Sum) Read()
    {
        lock (_lock)
        {
            var cumulative = new long[UpperBounds.Count];
            long running = 0;
            for (var i = 0; i < UpperBounds.Count; i++)
            {
                running += _counts[i];
                cumulative[i] = running;
            }
            return (cumulative, running + _counts[UpperBounds.Count], _sum);
        }
    }
}
