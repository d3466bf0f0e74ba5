using StateStore.Kv;
using StateStore.Testing;

namespace StateStore.Storage.Tests;

/// <summary>The IKvStore conformance suite against the FASTER-backed MVCC store, each store in its own folder.</summary>
public sealed class MvccStoreConformanceTests : KvStoreConformanceTests
{
    private readonly Dictionary<IKvStore, TempDirectory> _directories = [];

    protected override Task<IKvStore> CreateStoreAsync()
    {
        var directory = new TempDirectory("mvcc");
        try
        {
            IKvStore store = MvccStore.Open(MvccStoreOptions.ForTests(directory.Path));
            _directories.Add(store, directory);
            return Task.FromResult(store);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    protected override Task DisposeStoreAsync(IKvStore store)
    {
        try
        {
            ((MvccStore)store).Dispose();
        }
        finally
        {
            if (_directories.Remove(store, out var directory))
            {
                directory.Dispose();
            }
        }
        return Task.CompletedTask;
    }
}
