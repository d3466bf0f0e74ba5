using StateStore.Kv;
using StateStore.Testing.Model;
using Xunit;

namespace StateStore.Storage.Tests;

/// <summary>
/// The property tests trust <see cref="ModelKvStore"/>; these hand-computed examples are why.
/// </summary>
public sealed class ModelKvStoreSelfTests
{
    private static byte[] B(string s) => Bytes.Of(s);

    private static PutRequest Put(string key, string value = "v", long lease = 0) => new() { Key = B(key), Value = B(value), Lease = lease };

    private static RequestOp PutOp(string key) => RequestOp.Of(Put(key));

    private static RequestOp DeleteOp(string key, string? end = null) =>
        RequestOp.Of(new DeleteRangeRequest { Key = B(key), RangeEnd = end is null ? null : B(end) });

    private static async Task<KeyValue?> GetAsync(ModelKvStore model, string key, long revision = 0)
    {
        var response = (await model.RangeAsync(new RangeRequest { Key = B(key), Revision = revision })).Value;
        return response.Kvs.SingleOrDefault();
    }

    [Fact]
    public async Task Revisions_count_writes_that_change_something()
    {
        var model = new ModelKvStore();
        Assert.Equal(1, (await model.StatusAsync()).Revision);

        Assert.Equal(2, (await model.PutAsync(Put("a"))).Value.Revision);
        Assert.Equal(3, (await model.PutAsync(Put("b"))).Value.Revision);

        var noop = (await model.DeleteRangeAsync(new DeleteRangeRequest { Key = B("zzz") })).Value;
        Assert.Equal((3L, 0L), (noop.Revision, noop.Deleted));
        var reads = (await model.TxnAsync(new TxnRequest { Success = [RequestOp.Of(new RangeRequest { Key = B("a") }), DeleteOp("x")] })).Value;
        Assert.Equal(3, reads.Revision);
        Assert.Equal(3, (await model.CompactAsync(new CompactRequest { Revision = 2 })).Value.Revision);

        var both = (await model.TxnAsync(new TxnRequest { Success = [PutOp("c"), PutOp("d")] })).Value;
        Assert.Equal(4, both.Revision);
        Assert.Equal([4L, 4L], both.Responses.Select(r => r.Put!.Revision));
        Assert.Equal(4, (await GetAsync(model, "d"))!.ModRevision);

        Assert.Equal(5, (await model.DeleteRangeAsync(new DeleteRangeRequest { Key = B("a"), RangeEnd = B("c") })).Value.Revision);
        Assert.Equal(new StoreStatus(5, 2), await model.StatusAsync());
    }

    [Fact]
    public async Task A_delete_ends_the_generation_and_the_next_put_starts_at_version_one()
    {
        var model = new ModelKvStore();
        await model.LeaseGrantAsync(new LeaseGrantRequest { Id = 7, Ttl = 3600 });
        await model.LeaseGrantAsync(new LeaseGrantRequest { Id = 9, Ttl = 3600 });
        await model.PutAsync(Put("k", "1"));
        await model.PutAsync(Put("k", "2", lease: 7));
        Assert.Equal(new KeyValue(B("k"), B("2"), 2, 3, 2, 7), await GetAsync(model, "k"));

        var deleted = (await model.DeleteRangeAsync(new DeleteRangeRequest { Key = B("k"), PrevKv = true })).Value;
        Assert.Equal(new KeyValue(B("k"), B("2"), 2, 3, 2, 7), Assert.Single(deleted.PrevKvs));
        Assert.Null(await GetAsync(model, "k"));

        var put = (await model.PutAsync(Put("k", "3") with { PrevKv = true })).Value;
        Assert.Null(put.PrevKv);
        Assert.Equal(new KeyValue(B("k"), B("3"), 5, 5, 1, 0), await GetAsync(model, "k"));
        Assert.Equal(new KeyValue(B("k"), B("1"), 2, 2, 1, 0), await GetAsync(model, "k", revision: 2));
        Assert.Null(await GetAsync(model, "k", revision: 4));

        var kept = (await model.PutAsync(new PutRequest { Key = B("k"), IgnoreValue = true, Lease = 9 })).Value;
        Assert.Equal(new KeyValue(B("k"), B("3"), 5, 6, 2, 9), await GetAsync(model, "k"));
        Assert.Equal(6, kept.Revision);
        Assert.Equal(KvStatus.KeyNotFound, (await model.PutAsync(new PutRequest { Key = B("gone"), IgnoreLease = true })).Status);
        Assert.Equal(KvStatus.ValueProvided, (await model.PutAsync(new PutRequest { Key = B("k"), IgnoreValue = true, Value = B("x") })).Status);
    }

    [Theory]
    [InlineData(CompareTarget.Version, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.Create, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.Mod, CompareResult.Less, 1, true)]
    [InlineData(CompareTarget.Lease, CompareResult.NotEqual, 0, false)]
    [InlineData(CompareTarget.Version, CompareResult.Greater, 0, false)]
    public async Task A_compare_on_a_missing_key_sees_zeros(CompareTarget target, CompareResult result, long number, bool holds)
    {
        var model = new ModelKvStore();
        await model.PutAsync(Put("other"));
        var txn = new TxnRequest { Compare = [new Compare { Key = B("missing"), Target = target, Result = result, Number = number }] };
        Assert.Equal(holds, (await model.TxnAsync(txn)).Value.Succeeded);
    }

    [Theory]
    [InlineData(CompareResult.Equal)]
    [InlineData(CompareResult.NotEqual)]
    [InlineData(CompareResult.Less)]
    [InlineData(CompareResult.Greater)]
    public async Task A_value_compare_on_a_missing_key_or_empty_range_fails(CompareResult result)
    {
        var model = new ModelKvStore();
        await model.PutAsync(Put("z"));
        var single = new Compare { Key = B("a"), Target = CompareTarget.Value, Result = result, Value = B("v") };
        Assert.False((await model.TxnAsync(new TxnRequest { Compare = [single] })).Value.Succeeded);
        Assert.False((await model.TxnAsync(new TxnRequest { Compare = [single with { RangeEnd = B("b") }] })).Value.Succeeded);
    }

    [Fact]
    public async Task A_range_compare_must_hold_for_every_key_in_the_range()
    {
        var model = new ModelKvStore();
        await model.PutAsync(Put("a1", "x"));
        await model.PutAsync(Put("a2", "y"));
        await model.PutAsync(Put("b", "a"));
        var greater = new Compare { Key = B("a"), RangeEnd = B("b"), Target = CompareTarget.Value, Result = CompareResult.Greater, Value = B("w") };
        Assert.True((await model.TxnAsync(new TxnRequest { Compare = [greater] })).Value.Succeeded);
        Assert.False((await model.TxnAsync(new TxnRequest { Compare = [greater with { Value = B("x") }] })).Value.Succeeded);
        var mod = new Compare { Key = B("a"), RangeEnd = Bytes.AllFrom, Target = CompareTarget.Mod, Result = CompareResult.Less, Number = 4 };
        Assert.False((await model.TxnAsync(new TxnRequest { Compare = [mod] })).Value.Succeeded);
    }

    [Fact]
    public async Task Sorting_is_stable_over_key_order_in_both_directions()
    {
        var model = new ModelKvStore();
        foreach (var key in new[] { "d", "c", "b", "a", "a", "c" })
        {
            await model.PutAsync(Put(key, "v" + key));
        }
        async Task<string> Keys(SortOrder order, SortTarget target, long limit = 0)
        {
            var request = new RangeRequest { Key = B("a"), RangeEnd = Bytes.AllFrom, SortOrder = order, SortTarget = target, Limit = limit };
            var response = (await model.RangeAsync(request)).Value;
            return string.Concat(response.Kvs.Select(kv => Bytes.Show(kv.Key))) + (response.More ? "+" : "") + response.Count;
        }

        // Versions: a 2, b 1, c 2, d 1.
        Assert.Equal("bdac4", await Keys(SortOrder.Ascend, SortTarget.Version));
        Assert.Equal("bdac4", await Keys(SortOrder.None, SortTarget.Version));
        Assert.Equal("acbd4", await Keys(SortOrder.Descend, SortTarget.Version));
        Assert.Equal("ac+4", await Keys(SortOrder.Descend, SortTarget.Version, limit: 2));
        Assert.Equal("dcba4", await Keys(SortOrder.Descend, SortTarget.Key));
        Assert.Equal("abcd4", await Keys(SortOrder.None, SortTarget.Key));
        // Create: d 2, c 3, b 4, a 5; mod: d 2, b 4, a 6, c 7.
        Assert.Equal("dcba4", await Keys(SortOrder.Ascend, SortTarget.Create));
        Assert.Equal("cabd4", await Keys(SortOrder.Descend, SortTarget.Mod));
        Assert.Equal("dcba4", await Keys(SortOrder.Descend, SortTarget.Value));
    }

    [Fact]
    public async Task Count_is_taken_before_filters_and_limit()
    {
        var model = new ModelKvStore();
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await model.PutAsync(Put(key));
        }
        var request = new RangeRequest { Key = B("a"), RangeEnd = B("d"), MinModRevision = 3, Limit = 1 };
        var response = (await model.RangeAsync(request)).Value;
        Assert.Equal((3L, true), (response.Count, response.More));
        Assert.Equal("b", Bytes.Show(Assert.Single(response.Kvs).Key));

        var counted = (await model.RangeAsync(request with { CountOnly = true })).Value;
        Assert.Equal((3L, false, 0), (counted.Count, counted.More, counted.Kvs.Count));
        var keysOnly = (await model.RangeAsync(request with { KeysOnly = true, Limit = 0 })).Value;
        Assert.All(keysOnly.Kvs, kv => Assert.Empty(kv.Value));
        Assert.Equal(2, keysOnly.Kvs.Count);
        Assert.Empty((await model.RangeAsync(new RangeRequest { Key = B("c"), RangeEnd = B("a") })).Value.Kvs);
    }

    [Fact]
    public async Task Txn_validation_follows_etcds_check_intervals()
    {
        var model = new ModelKvStore();
        async Task<KvStatus> Run(params RequestOp[] success) => (await model.TxnAsync(new TxnRequest { Success = success })).Status;
        RequestOp Nested(RequestOp[] then, RequestOp[] otherwise) => RequestOp.Of(new TxnRequest { Success = then, Failure = otherwise });

        Assert.Equal(KvStatus.DuplicateKey, await Run(PutOp("a"), PutOp("a")));
        Assert.Equal(KvStatus.DuplicateKey, await Run(PutOp("ab"), DeleteOp("a", "b")));
        Assert.Equal(KvStatus.DuplicateKey, await Run(DeleteOp("a", "\0"), PutOp("z")));
        Assert.Equal(KvStatus.DuplicateKey, await Run(PutOp("a"), Nested([PutOp("a")], [])));
        Assert.Equal(KvStatus.DuplicateKey, await Run(Nested([DeleteOp("a")], []), Nested([], [PutOp("a")])));
        Assert.Equal(KvStatus.DuplicateKey, await Run(Nested([PutOp("a")], []), Nested([PutOp("a")], [])));
        Assert.Equal(KvStatus.DuplicateKey, await Run(Nested([PutOp("b")], [PutOp("a")]), Nested([PutOp("a")], [])));
        Assert.Equal(KvStatus.Ok, await Run(Nested([PutOp("a")], [PutOp("a")])));
        Assert.Equal(KvStatus.Ok, await Run(Nested([PutOp("a")], [DeleteOp("a")])));
        Assert.Equal(KvStatus.Ok, await Run(DeleteOp("a"), DeleteOp("a"), PutOp("b"), DeleteOp("c", "a")));
        Assert.Equal(KvStatus.EmptyKey, await Run(PutOp("a"), PutOp("a"), PutOp("")));
        Assert.Equal(KvStatus.TooManyOps, await Run(Nested([.. Enumerable.Repeat(DeleteOp("x"), 129)], [PutOp("")])));
        Assert.Equal(KvStatus.Ok, await Run([.. Enumerable.Repeat(DeleteOp("x"), 128)]));
        // Only the three valid txns that put something wrote.
        Assert.Equal(4, (await model.StatusAsync()).Revision);

        // etcd checks a nested txn's puts only against deletes gathered before it: a later sibling's
        // delete may remove what an earlier one put, both in one revision.
        Assert.Equal(KvStatus.Ok, await Run(Nested([PutOp("k")], []), Nested([DeleteOp("k")], [])));
        Assert.Null(await GetAsync(model, "k"));
        Assert.Equal(5, (await model.StatusAsync()).Revision);
        Assert.Equal(6, (await model.PutAsync(Put("k"))).Value.Revision);
        Assert.Equal(1, (await GetAsync(model, "k"))!.Version);
    }

    [Fact]
    public async Task A_failing_put_inside_a_txn_changes_nothing()
    {
        var model = new ModelKvStore();
        var txn = new TxnRequest { Success = [PutOp("a"), RequestOp.Of(new PutRequest { Key = B("b"), IgnoreValue = true })] };
        Assert.Equal(KvStatus.KeyNotFound, (await model.TxnAsync(txn)).Status);
        Assert.Equal(1, (await model.StatusAsync()).Revision);
        Assert.Null(await GetAsync(model, "a"));
    }

    [Fact]
    public async Task Reads_inside_a_txn_see_its_earlier_writes_but_nested_compares_do_not()
    {
        var model = new ModelKvStore();
        var nested = new TxnRequest
        {
            Compare = [new Compare { Key = B("a"), Target = CompareTarget.Version, Result = CompareResult.Equal, Number = 0 }],
            Success = [RequestOp.Of(new RangeRequest { Key = B("a") })],
        };
        var txn = new TxnRequest { Success = [RequestOp.Of(new RangeRequest { Key = B("a") }), PutOp("a"), RequestOp.Of(nested)] };
        var response = (await model.TxnAsync(txn)).Value;
        Assert.Equal(2, response.Revision);
        Assert.Equal((1L, 0), (response.Responses[0].Range!.Revision, response.Responses[0].Range!.Kvs.Count));
        var inner = response.Responses[2].Txn!;
        // The compare saw "a" missing (version 0), as before the txn; the read in its branch sees the put.
        Assert.True(inner.Succeeded);
        Assert.Equal(2, inner.Revision);
        Assert.Equal(2, Assert.Single(inner.Responses[0].Range!.Kvs).ModRevision);
    }

    [Fact]
    public async Task Compaction_hides_only_what_is_below_the_point()
    {
        var model = new ModelKvStore();
        await model.PutAsync(Put("a", "1"));
        await model.PutAsync(Put("a", "2"));
        await model.PutAsync(Put("b", "3"));
        Assert.Equal(KvStatus.FutureRevision, (await model.CompactAsync(new CompactRequest { Revision = 5 })).Status);
        Assert.Equal(KvStatus.Ok, (await model.CompactAsync(new CompactRequest { Revision = 3 })).Status);
        Assert.Equal(KvStatus.Compacted, (await model.CompactAsync(new CompactRequest { Revision = 3 })).Status);
        Assert.Equal(KvStatus.Compacted, (await model.RangeAsync(new RangeRequest { Key = B("a"), Revision = 2 })).Status);
        Assert.Equal(B("2"), (await GetAsync(model, "a", revision: 3))!.Value);
        Assert.Equal(KvStatus.FutureRevision, (await model.RangeAsync(new RangeRequest { Key = B("a"), Revision = 5 })).Status);
        Assert.Equal(KvStatus.Compacted, (await model.HashKvAsync(2)).Status);
        Assert.Equal(new StoreStatus(4, 3), await model.StatusAsync());
    }

    [Fact]
    public async Task HashKv_depends_on_the_history_only()
    {
        async Task<ModelKvStore> Build(string lastValue)
        {
            var model = new ModelKvStore();
            await model.PutAsync(Put("a", "1"));
            await model.PutAsync(Put("b", lastValue));
            return model;
        }
        var one = await Build("x");
        var same = await Build("x");
        var other = await Build("y");
        Assert.Equal((await one.HashKvAsync(0)).Value.Hash, (await same.HashKvAsync(3)).Value.Hash);
        Assert.NotEqual((await one.HashKvAsync(0)).Value.Hash, (await other.HashKvAsync(0)).Value.Hash);
        Assert.Equal((await one.HashKvAsync(2)).Value.Hash, (await other.HashKvAsync(2)).Value.Hash);
        Assert.NotEqual((await one.HashKvAsync(2)).Value.Hash, (await one.HashKvAsync(3)).Value.Hash);
    }

    [Fact]
    public async Task A_clone_is_independent()
    {
        var model = new ModelKvStore();
        await model.PutAsync(Put("a", "1"));
        var clone = model.Clone();
        await model.PutAsync(Put("a", "2"));
        await model.CompactAsync(new CompactRequest { Revision = 3 });
        Assert.Equal(new StoreStatus(2, 0), await clone.StatusAsync());
        Assert.Equal(B("1"), (await GetAsync(clone, "a"))!.Value);
        await clone.PutAsync(Put("b"));
        Assert.Null(await GetAsync(model, "b"));
    }

    [Fact]
    public async Task A_watch_replays_history_then_goes_live()
    {
        var model = new ModelKvStore();
        await model.PutAsync(Put("a", "1"));
        await model.PutAsync(Put("b", "1"));
        await model.PutAsync(Put("a", "2"));
        await using var watch = (await model.WatchAsync(new WatchRequest { Key = B("a"), StartRevision = 3, PrevKv = true })).Value;

        var first = await watch.ReadAsync();
        var put = Assert.Single(first.Events);
        Assert.Equal(new WatchEvent(EventType.Put, new KeyValue(B("a"), B("2"), 2, 4, 2, 0), new KeyValue(B("a"), B("1"), 2, 2, 1, 0)), put);

        var pending = watch.ReadAsync();
        Assert.False(pending.IsCompleted);
        await model.DeleteRangeAsync(new DeleteRangeRequest { Key = B("a"), RangeEnd = B("c") });
        var second = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(
            [new KeyValue(B("a"), Bytes.Empty, 0, 5, 0, 0)],
            second.Events.Select(e => e.Kv));
        Assert.Equal(EventType.Delete, second.Events[0].Type);
        Assert.Equal(B("2"), second.Events[0].PrevKv!.Value);

        model.Dispose();
        Assert.Equal(WatchEndReason.StoreClosed, (await watch.ReadAsync()).EndReason);
    }

    [Fact]
    public async Task A_watch_from_below_the_compaction_point_ends_at_once()
    {
        var model = new ModelKvStore();
        await model.PutAsync(Put("a"));
        await model.PutAsync(Put("a"));
        await model.CompactAsync(new CompactRequest { Revision = 3 });
        await using var compacted = (await model.WatchAsync(new WatchRequest { Key = B("a"), StartRevision = 2 })).Value;
        // It ended when opened, so a later compaction does not change the point it names.
        await model.PutAsync(Put("a"));
        await model.CompactAsync(new CompactRequest { Revision = 4 });
        var end = await compacted.ReadAsync();
        Assert.Equal((WatchEndReason.Compacted, 3L), (end.EndReason, end.CompactRevision));

        // At the compaction point the watch works, but the version before it is gone.
        await using var atPoint = (await model.WatchAsync(new WatchRequest { Key = B("a"), StartRevision = 4, PrevKv = true })).Value;
        var response = await atPoint.ReadAsync();
        Assert.Null(Assert.Single(response.Events).PrevKv);
    }
}
