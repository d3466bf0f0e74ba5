using Etcdserverpb;

namespace StateStore.EtcdApi.Tests;

/// <summary>etcd's KV service over a real store: every request field reaches the store, every answer comes back whole.</summary>
public sealed class KvServiceTests : EtcdApiTestBase
{
    [Fact]
    public async Task Put_then_get_answers_the_versions_with_a_full_header()
    {
        var put = await PutAsync("a", "1");
        AssertHeader(put.Header, 2);
        Assert.Null(put.PrevKv);

        var get = await GetAsync(new RangeRequest { Key = B("a") });
        AssertHeader(get.Header, 2);
        var kv = Assert.Single(get.Kvs);
        Assert.Equal(("a", "1", 2L, 2L, 1L, 0L), (S(kv.Key), S(kv.Value), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease));
        Assert.Equal(1, get.Count);
        Assert.False(get.More);
    }

    [Fact]
    public async Task Put_with_prev_kv_answers_the_replaced_version()
    {
        await PutAsync("a", "1");
        var second = await PutAsync("a", "2", prevKv: true);
        AssertHeader(second.Header, 3);
        Assert.Equal(("a", "1", 2L, 1L), (S(second.PrevKv.Key), S(second.PrevKv.Value), second.PrevKv.ModRevision, second.PrevKv.Version));

        var get = await GetAsync(new RangeRequest { Key = B("a") });
        Assert.Equal((2L, 3L, 2L), (get.Kvs[0].CreateRevision, get.Kvs[0].ModRevision, get.Kvs[0].Version));
    }

    [Fact]
    public async Task Prefix_and_from_key_ranges_are_ordered_by_key()
    {
        foreach (var key in new[] { "b/2", "a", "b/1", "c", "b/3" })
        {
            await PutAsync(key, key.ToUpperInvariant());
        }

        var prefix = await GetAsync(new RangeRequest { Key = B("b/"), RangeEnd = B("b0") });
        Assert.Equal(["b/1", "b/2", "b/3"], prefix.Kvs.Select(kv => S(kv.Key)));
        Assert.Equal(["B/1", "B/2", "B/3"], prefix.Kvs.Select(kv => S(kv.Value)));
        Assert.Equal(3, prefix.Count);

        var fromKey = await GetAsync(new RangeRequest { Key = B("b/2"), RangeEnd = B("\0") });
        Assert.Equal(["b/2", "b/3", "c"], fromKey.Kvs.Select(kv => S(kv.Key)));

        var all = await GetAsync(new RangeRequest { Key = B("\0"), RangeEnd = B("\0") });
        Assert.Equal(5, all.Count);
        AssertHeader(all.Header, 6);
    }

    [Fact]
    public async Task Range_at_a_past_revision_answers_that_revision_with_the_current_header()
    {
        await PutAsync("k", "v1");
        await PutAsync("k", "v2");
        await PutAsync("other", "x");

        var past = await GetAsync(new RangeRequest { Key = B("k"), Revision = 2 });
        Assert.Equal("v1", S(Assert.Single(past.Kvs).Value));
        AssertHeader(past.Header, 4);

        var serializable = await GetAsync(new RangeRequest { Key = B("k"), Serializable = true });
        Assert.Equal("v2", S(Assert.Single(serializable.Kvs).Value));
    }

    [Fact]
    public async Task Limit_cuts_the_answer_and_says_more_while_count_counts_everything()
    {
        for (var i = 0; i < 5; i++)
        {
            await PutAsync($"k{i}", "v");
        }
        var limited = await GetAsync(new RangeRequest { Key = B("k"), RangeEnd = B("l"), Limit = 2 });
        Assert.Equal(["k0", "k1"], limited.Kvs.Select(kv => S(kv.Key)));
        Assert.True(limited.More);
        Assert.Equal(5, limited.Count);

        var exact = await GetAsync(new RangeRequest { Key = B("k"), RangeEnd = B("l"), Limit = 5 });
        Assert.False(exact.More);
    }

    [Fact]
    public async Task Sort_order_and_target_are_honoured()
    {
        await PutAsync("a", "3");
        await PutAsync("b", "1");
        await PutAsync("c", "2");
        await PutAsync("a", "3'");

        async Task<string[]> Keys(RangeRequest.Types.SortOrder order, RangeRequest.Types.SortTarget target) =>
            (await GetAsync(new RangeRequest { Key = B("a"), RangeEnd = B("z"), SortOrder = order, SortTarget = target }))
            .Kvs.Select(kv => S(kv.Key)).ToArray();

        Assert.Equal(["c", "b", "a"], await Keys(RangeRequest.Types.SortOrder.Descend, RangeRequest.Types.SortTarget.Key));
        Assert.Equal(["b", "c", "a"], await Keys(RangeRequest.Types.SortOrder.Ascend, RangeRequest.Types.SortTarget.Value));
        Assert.Equal(["a", "c", "b"], await Keys(RangeRequest.Types.SortOrder.Descend, RangeRequest.Types.SortTarget.Mod));
        Assert.Equal(["a", "b", "c"], await Keys(RangeRequest.Types.SortOrder.Ascend, RangeRequest.Types.SortTarget.Create));
        Assert.Equal(["a", "b", "c"], await Keys(RangeRequest.Types.SortOrder.Descend, RangeRequest.Types.SortTarget.Version));
        // No order with a target other than the key sorts ascending.
        Assert.Equal(["b", "c", "a"], await Keys(RangeRequest.Types.SortOrder.None, RangeRequest.Types.SortTarget.Value));
    }

    [Fact]
    public async Task Count_only_and_keys_only_leave_out_what_they_say()
    {
        await PutAsync("a", "1");
        await PutAsync("b", "2");

        var countOnly = await GetAsync(new RangeRequest { Key = B("a"), RangeEnd = B("c"), CountOnly = true });
        Assert.Empty(countOnly.Kvs);
        Assert.Equal(2, countOnly.Count);

        var keysOnly = await GetAsync(new RangeRequest { Key = B("a"), RangeEnd = B("c"), KeysOnly = true });
        Assert.Equal(["a", "b"], keysOnly.Kvs.Select(kv => S(kv.Key)));
        Assert.All(keysOnly.Kvs, kv => Assert.True(kv.Value.IsEmpty));
        Assert.Equal([2L, 3L], keysOnly.Kvs.Select(kv => kv.ModRevision));
    }

    [Fact]
    public async Task Min_and_max_revision_filters_drop_keys_outside_them()
    {
        await PutAsync("a", "1"); // rev 2
        await PutAsync("b", "1"); // rev 3
        await PutAsync("c", "1"); // rev 4
        await PutAsync("a", "2"); // rev 5

        async Task<string[]> Keys(RangeRequest r) => (await GetAsync(r)).Kvs.Select(kv => S(kv.Key)).ToArray();

        Assert.Equal(["a", "c"], await Keys(new RangeRequest { Key = B("a"), RangeEnd = B("z"), MinModRevision = 4 }));
        Assert.Equal(["b", "c"], await Keys(new RangeRequest { Key = B("a"), RangeEnd = B("z"), MaxModRevision = 4 }));
        Assert.Equal(["b", "c"], await Keys(new RangeRequest { Key = B("a"), RangeEnd = B("z"), MinCreateRevision = 3 }));
        Assert.Equal(["a", "b"], await Keys(new RangeRequest { Key = B("a"), RangeEnd = B("z"), MaxCreateRevision = 3 }));
        var filtered = await GetAsync(new RangeRequest { Key = B("a"), RangeEnd = B("z"), MinModRevision = 5 });
        Assert.Equal(3, filtered.Count);
    }

    [Fact]
    public async Task Delete_range_counts_and_returns_previous_versions()
    {
        await PutAsync("p/1", "a");
        await PutAsync("p/2", "b");
        await PutAsync("q", "c");

        var deleted = await Host.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = B("p/"), RangeEnd = B("p0"), PrevKv = true }, cancellationToken: Timeout);
        AssertHeader(deleted.Header, 5);
        Assert.Equal(2, deleted.Deleted);
        Assert.Equal(["p/1=a", "p/2=b"], deleted.PrevKvs.Select(kv => $"{S(kv.Key)}={S(kv.Value)}"));

        var withoutPrev = await Host.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = B("q") }, cancellationToken: Timeout);
        Assert.Equal(1, withoutPrev.Deleted);
        Assert.Empty(withoutPrev.PrevKvs);

        var nothing = await Host.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = B("q") }, cancellationToken: Timeout);
        Assert.Equal(0, nothing.Deleted);
        AssertHeader(nothing.Header, 6);
        Assert.Equal(0, (await GetAsync(new RangeRequest { Key = B("\0"), RangeEnd = B("\0"), CountOnly = true })).Count);
    }

    [Fact]
    public async Task Put_ignore_value_and_ignore_lease_keep_what_is_there()
    {
        await PutAsync("k", "kept");
        var put = await Host.Kv.PutAsync(new PutRequest { Key = B("k"), IgnoreValue = true, IgnoreLease = true, PrevKv = true }, cancellationToken: Timeout);
        Assert.Equal("kept", S(put.PrevKv.Value));
        var get = await GetAsync(new RangeRequest { Key = B("k") });
        Assert.Equal(("kept", 2L, 3L), (S(get.Kvs[0].Value), get.Kvs[0].Version, get.Kvs[0].ModRevision));
    }

    [Fact]
    public async Task Compact_answers_the_current_revision_and_later_reads_below_it_are_compacted()
    {
        await PutAsync("k", "v1");
        await PutAsync("k", "v2");
        await PutAsync("k", "v3");

        var compact = await Host.Kv.CompactAsync(new CompactionRequest { Revision = 3, Physical = true }, cancellationToken: Timeout);
        AssertHeader(compact.Header, 4);

        await AssertFailsAsync(Grpc.Core.StatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted",
            () => GetAsync(new RangeRequest { Key = B("k"), Revision = 2 }));
        var atPoint = await GetAsync(new RangeRequest { Key = B("k"), Revision = 3 });
        Assert.Equal("v2", S(Assert.Single(atPoint.Kvs).Value));
        Assert.Equal(4, await RevisionAsync());
    }

    [Fact]
    public async Task Values_are_carried_as_raw_bytes()
    {
        byte[] key = [0xff, 0x00, 0x01];
        byte[] value = [0x00, 0xfe, 0x80];
        await Host.Kv.PutAsync(new PutRequest { Key = Google.Protobuf.ByteString.CopyFrom(key), Value = Google.Protobuf.ByteString.CopyFrom(value) }, cancellationToken: Timeout);
        var get = await GetAsync(new RangeRequest { Key = Google.Protobuf.ByteString.CopyFrom(key) });
        Assert.Equal(value, get.Kvs[0].Value.ToByteArray());
        var stored = await Store.RangeAsync(new Kv.RangeRequest { Key = key }, Timeout);
        Assert.Equal(value, stored.Value.Kvs[0].Value);
    }

    [Fact]
    public async Task A_value_just_under_the_limit_is_stored()
    {
        var value = new string('x', EtcdApiOptions.MaxRequestBytes - 100);
        var put = await PutAsync("big", value);
        Assert.Equal(2, put.Header.Revision);
        var get = await GetAsync(new RangeRequest { Key = B("big") });
        Assert.Equal(value.Length, get.Kvs[0].Value.Length);
    }
}
