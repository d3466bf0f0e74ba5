using BenchmarkDotNet.Attributes;
using StateStore.Kv;

namespace StateStore.Benchmarks;

/// <summary>Applied writes on one thread: single-key puts, and a put inside a compare-and-set txn.</summary>
[MemoryDiagnoser]
public class WriteBenchmarks
{
    private const int Batch = 10_000;
    private const int KeySpace = 100_000;
    private BenchStore _bench = null!;
    private PutRequest[] _puts = null!;
    private TxnRequest[] _txns = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _bench = new BenchStore();
        var value = BenchStore.Value(256, 1);
        _puts = Enumerable.Range(0, KeySpace).Select(i => new PutRequest { Key = BenchStore.Key("put", i), Value = value }).ToArray();
        _txns = Enumerable.Range(0, KeySpace).Select(i => new TxnRequest
        {
            Compare = [new Compare { Key = BenchStore.Key("txn", i), Target = CompareTarget.Mod, Result = CompareResult.Less, Number = long.MaxValue }],
            Success = [RequestOp.Of(new PutRequest { Key = BenchStore.Key("txn", i), Value = value })],
        }).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _bench.Dispose();

    [Benchmark(OperationsPerInvoke = Batch, Description = "put 256 B")]
    public long Put()
    {
        long revision = 0;
        for (var i = 0; i < Batch; i++)
        {
            revision = _bench.Store.Put(_puts[_next++ % KeySpace]).Value.Revision;
        }
        return revision;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "put 256 B in a txn")]
    public long PutInTxn()
    {
        long revision = 0;
        for (var i = 0; i < Batch; i++)
        {
            revision = _bench.Store.Txn(_txns[_next++ % KeySpace]).Value.Revision;
        }
        return revision;
    }
}
