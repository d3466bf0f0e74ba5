using BenchmarkDotNet.Attributes;
using StateStore.Kv;

namespace StateStore.Benchmarks;

/// <summary>Fan-out: each put is delivered to 1,000 watchers on its prefix, each read by its own task.</summary>
[MemoryDiagnoser]
public class WatchBenchmarks
{
    private const int Watchers = 1_000;
    private const int Puts = 1_000;
    private BenchStore _bench = null!;
    private byte[] _value = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = new BenchStore();
        _value = BenchStore.Value(256, 3);
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [Benchmark(OperationsPerInvoke = Puts, Description = "put delivered to 1k watchers")]
    public async Task<long> FanOut()
    {
        var prefix = Bytes.Of("fan/");
        var start = _bench.Store.Revision + 1;
        var last = start + Puts - 1;
        var readers = new Task<long>[Watchers];
        for (var w = 0; w < Watchers; w++)
        {
            var watch = _bench.Store.Watch(new WatchRequest { Key = prefix, RangeEnd = Bytes.PrefixEnd(prefix), StartRevision = start }).Value;
            readers[w] = Drain(watch, last);
        }
        for (var i = 0; i < Puts; i++)
        {
            _bench.Store.Put(new PutRequest { Key = BenchStore.Key("fan", i), Value = _value });
        }
        long delivered = 0;
        foreach (var reader in readers)
        {
            delivered += await reader;
        }
        if (delivered != (long)Watchers * Puts)
        {
            throw new InvalidOperationException($"delivered {delivered} events, expected {(long)Watchers * Puts}");
        }
        return delivered;
    }

    private static async Task<long> Drain(IKvWatch watch, long last)
    {
        await using var _ = watch;
        long events = 0;
        while (true)
        {
            var response = await watch.ReadAsync();
            events += response.Events.Count;
            if (response.IsEnd || response.Revision >= last)
            {
                return events;
            }
        }
    }
}
