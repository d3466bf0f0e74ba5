using BenchmarkDotNet.Running;
using StateStore.Benchmarks;

// `memory [keys] [valueSize]` runs the memory footprint check; anything else goes to BenchmarkDotNet
// (e.g. `--filter '*'`, `--filter '*Write*'`).
if (args.Length > 0 && args[0] == "memory")
{
    var keys = args.Length > 1 ? int.Parse(args[1]) : 1_000_000;
    var valueSize = args.Length > 2 ? int.Parse(args[2]) : 256;
    return MemoryFootprint.Run(keys, valueSize);
}
BenchmarkSwitcher.FromAssembly(typeof(WriteBenchmarks).Assembly).Run(args);
return 0;
