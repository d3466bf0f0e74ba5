using StateStore.Kv;
using Xunit;

namespace StateStore.Storage.Tests.Properties;

/// <summary>Shrunk sequences the properties found, kept as plain facts (they outlive generator changes).</summary>
public sealed class StoreModelRegressions
{
    private static PutCommand Put(string key) => new(key, "", 0, PrevKv: false, IgnoreValue: false, IgnoreLease: false);

    private static TxnCommand Txn(IReadOnlyList<Command> then, IReadOnlyList<Command> otherwise) => new([], then, otherwise);

    /// <summary>
    /// etcd's checkIntervals (docs/kv-semantics.md) lets a nested txn delete what an earlier sibling put:
    /// one revision then holds a put and a delete of the same key, in that order.
    /// </summary>
    [Fact]
    public Task Seed_681770679848140289_a_later_sibling_nested_txn_may_delete_what_an_earlier_one_put() =>
        MvccStoreModelProperties.RunAsync(
        [
            Put("c"),
            Txn(then: [Txn(then: [Put("c")], otherwise: []), Txn(then: [new DeleteCommand("c", null, PrevKv: true)], otherwise: [])], otherwise: []),
            new RangeCommand(
                "a", "\0", new RevisionPick(RevisionKind.Absolute, 2), Limit: 0, SortOrder.None, SortTarget.Key,
                KeysOnly: false, CountOnly: false, MinMod: null, MaxMod: null, MinCreate: null, MaxCreate: null),
            new HashKvCommand(new RevisionPick(RevisionKind.Current, 0)),
            new CheckpointCommand(Restart: true),
            Put("c"),
            new HashKvCommand(new RevisionPick(RevisionKind.Absolute, 2)),
        ]);

    /// <summary>The watch sees the put and the delete of one revision, in order; PrevKv as docs/kv-semantics.md says.</summary>
    [Fact]
    public Task Seed_681770679848140289_a_watch_sees_a_put_and_a_delete_of_one_key_in_one_revision() =>
        MvccStoreModelProperties.WatchRunAsync(
            new WatchScenario(
                [
                    Put("c"),
                    Txn(then: [Txn(then: [Put("c")], otherwise: []), Txn(then: [new DeleteCommand("c", null, PrevKv: true)], otherwise: [])], otherwise: []),
                    Put("c"),
                ],
                new WatchSpec("a", "\0", new RevisionPick(RevisionKind.Current, 0), PrevKv: true, NoPut: false, NoDelete: false),
                OpenAt: 0),
            watcherQueueLimit: null);

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
