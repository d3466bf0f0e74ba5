using System.Diagnostics;
using StateStore.Kv;

namespace StateStore.Benchmarks;

/// <summary>
/// Loads N keys of a given value size into one store and reports the process's resident memory, the
/// managed heap, the index size and the data on disk — the "1M keys of 256 bytes under 1 GiB" check.
/// </summary>
internal static class MemoryFootprint
{
    public static int Run(int keys, int valueSize)
    {
        using var bench = new BenchStore();
        var value = BenchStore.Value(valueSize, 4);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < keys; i++)
        {
            bench.Store.Put(new PutRequest { Key = BenchStore.Key("mem", i), Value = value });
        }
        var loadSeconds = watch.Elapsed.TotalSeconds;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var onDisk = new DirectoryInfo(bench.Directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Console.WriteLine($"keys={keys:N0} value={valueSize} B load={loadSeconds:F1} s ({keys / loadSeconds:N0} puts/s)");
        Console.WriteLine($"rss={Mib(process.WorkingSet64)} MiB peak_rss={Mib(process.PeakWorkingSet64)} MiB managed_heap={Mib(GC.GetTotalMemory(false))} MiB on_disk={Mib(onDisk)} MiB");
        var sample = bench.Store.Range(new RangeRequest { Key = BenchStore.Key("mem", keys / 2) }).Value.Kvs.Single();
        return sample.Value.AsSpan().SequenceEqual(value) ? 0 : 1;
    }

    private static long Mib(long bytes) => bytes / (1024 * 1024);
}
