using StateStore.Kv;
using StateStore.Testing;
using StateStore.Testing.Model;

namespace StateStore.Storage.Tests;

/// <summary>
/// The IKvStore conformance suite against the in-memory reference model: the hand-computed
/// expectations and the model check each other before either is trusted against the real store.
/// </summary>
public sealed class ModelKvStoreConformanceTests : KvStoreConformanceTests
{
    protected override Task<IKvStore> CreateStoreAsync() => Task.FromResult<IKvStore>(new ModelKvStore());
}
