using StateStore.Kv;
using StateStore.Storage;

namespace StateStore.Benchmarks;

/// <summary>A store in a fresh temp folder with production settings, removed on dispose.</summary>
internal sealed class BenchStore : IDisposable
{
    public BenchStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "statestore-bench", Guid.NewGuid().ToString("N"));
        Store = MvccStore.Open(new MvccStoreOptions { DataDirectory = Directory });
    }

    public string Directory { get; }

    public MvccStore Store { get; }

    public static byte[] Key(string prefix, int i) => Bytes.Of($"{prefix}/{i:D8}");

    public static byte[] Value(int size, int seed)
    {
        var value = new byte[size];
        new Random(seed).NextBytes(value);
        return value;
    }

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
