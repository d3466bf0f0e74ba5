using BenchmarkDotNet.Attributes;
using StateStore.Kv;

namespace StateStore.Benchmarks;

/// <summary>A prefix range of 1,000 keys out of 100,000 (like listing one namespace's pods).</summary>
[MemoryDiagnoser]
public class RangeBenchmarks
{
    private BenchStore _bench = null!;
    private RangeRequest _range = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bench = new BenchStore();
        var value = BenchStore.Value(256, 2);
        for (var p = 0; p < 100; p++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                _bench.Store.Put(new PutRequest { Key = BenchStore.Key($"ns{p:D3}", i), Value = value });
            }
        }
        var prefix = Bytes.Of("ns050/");
        _range = new RangeRequest { Key = prefix, RangeEnd = Bytes.PrefixEnd(prefix) };
        if (_bench.Store.Range(_range).Value.Kvs.Count != 1_000)
        {
            throw new InvalidOperationException("the prefix should hold 1,000 keys");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [Benchmark(Description = "prefix range of 1k keys")]
    public int PrefixRange() => _bench.Store.Range(_range).Value.Kvs.Count;
}
