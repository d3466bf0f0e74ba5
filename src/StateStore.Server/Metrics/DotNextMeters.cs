using System.Diagnostics.Metrics;

namespace StateStore.Server.Metrics;

/// <summary>
/// The durations DotNext's WAL and Raft client report through System.Diagnostics.Metrics (in milliseconds), collected
/// into histograms in seconds. DotNext's meters are static, so this listens once per process: a statestore process
/// runs one member; members hosted together in one test process share these histograms.
/// </summary>
internal static class DotNextMeters
{
    private static readonly Lazy<MeterListener> Listener = new(Listen);

    /// <summary>One WAL flush: msync of the data and metadata pages written since the last, then the O_DSYNC checkpoint write.</summary>
    public static LatencyHistogram WalFlush { get; } = new(LatencyHistogram.DiskBuckets);

    /// <summary>Applying committed entries to the store, per batch the WAL hands over.</summary>
    public static LatencyHistogram Apply { get; } = new(LatencyHistogram.DiskBuckets);

    /// <summary>A peer answering a Raft request (AppendEntries, heartbeat, vote), as the sender measures it.</summary>
    public static LatencyHistogram PeerResponse { get; } = new(LatencyHistogram.NetworkBuckets);

    public static void EnsureListening() => _ = Listener.Value;

    private static MeterListener Listen()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, meters) =>
            {
                if (Target(instrument) is { } histogram)
                {
                    meters.EnableMeasurementEvents(instrument, histogram);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, milliseconds, _, histogram) => ((LatencyHistogram)histogram!).Observe(milliseconds / 1000));
        listener.Start();
        return listener;
    }

    private static LatencyHistogram? Target(Instrument instrument) => (instrument.Meter.Name, instrument.Name) switch
    {
        ("DotNext.IO.WriteAheadLog", "entries-flush-duration") => WalFlush,
        ("DotNext.IO.WriteAheadLog", "entries-apply-duration") => Apply,
        ("DotNext.Net.Cluster.Consensus.Raft.Client", "response-time") => PeerResponse,
        _ => null,
    };
}
