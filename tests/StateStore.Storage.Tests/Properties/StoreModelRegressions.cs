using StateStore.Kv;
using Xunit;

namespace StateStore.Storage.Tests.Properties;

/// <summary>Shrunk sequences the properties found, kept as plain facts (they outlive generator changes).</summary>
public sealed class StoreModelRegressions
{
    private static PutCommand Put(string key) => new(key, "", 0, PrevKv: false, IgnoreValue: false, IgnoreLease: false);

    private static TxnCommand Txn(IReadOnlyList<Command> then, IReadOnlyList<Command> otherwise) => new([], then, otherwise);

    /// <summary>
    /// docs/kv-semantics.md: a nested txn's branches count as part of the parent branch, so a put in one
    /// nested txn and a delete covering it in a later sibling clash (DuplicateKey), as they can both run.
    /// etcd's checkIntervals checks a child's puts only against deletes seen before it and misses this.
    /// </summary>
    [Fact]
    public Task Seed_681770679848140289_a_put_and_a_delete_in_sibling_nested_txns_are_duplicate_keys() =>
        MvccStoreModelProperties.RunAsync(
        [
            Txn(then: [Txn(then: [Put("c")], otherwise: []), Txn(then: [new DeleteCommand("c", null, PrevKv: false)], otherwise: [])], otherwise: []),
        ]);

    /// <summary>Key order descending holds with min/max revision filters too.</summary>
    [Fact]
    public Task Seed_2210748689025692525_key_descend_with_a_revision_filter_is_reverse_key_order() =>
        MvccStoreModelProperties.RunAsync(
        [
            Put("a"),
            Put("b"),
            new RangeCommand(
                "a", "\0", new RevisionPick(RevisionKind.Current, 0), Limit: 0, SortOrder.Descend, SortTarget.Key,
                KeysOnly: false, CountOnly: false, MinMod: new RevisionPick(RevisionKind.Absolute, 0), MaxMod: null, MinCreate: null, MaxCreate: null),
        ]);
}
