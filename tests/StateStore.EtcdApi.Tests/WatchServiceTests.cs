using Etcdserverpb;
using Mvccpb;
using StateStore.EtcdApi.Tests.Infrastructure;

namespace StateStore.EtcdApi.Tests;

/// <summary>etcd's Watch stream: created/canceled answers, events as etcd sends them, several watches per stream.</summary>
public sealed class WatchServiceTests : EtcdApiTestBase
{
    private WatchSession Session() => new(Host.Watch, Timeout);

    private static string Show(Event e) =>
        $"{e.Type} {e.Kv.Key.ToStringUtf8()}={e.Kv.Value.ToStringUtf8()}@{e.Kv.ModRevision}" +
        (e.PrevKv is null ? "" : $" prev={e.PrevKv.Value.ToStringUtf8()}@{e.PrevKv.ModRevision}");

    [Fact]
    public async Task A_watch_from_now_is_created_with_the_current_revision_then_gets_each_write()
    {
        await PutAsync("k", "before");
        await using var session = Session();
        var created = await session.CreatedAsync(new WatchCreateRequest { Key = B("k") });
        Assert.Equal(0, created.WatchId);
        AssertHeader(created.Header, 2);

        await PutAsync("k", "v1");
        await Host.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = B("k") }, cancellationToken: Timeout);

        var put = await session.NextAsync();
        Assert.Equal(0, put.WatchId);
        AssertHeader(put.Header, 3);
        Assert.Equal(["Put k=v1@3"], put.Events.Select(Show));
        Assert.Equal((2L, 2L), (put.Events[0].Kv.CreateRevision, put.Events[0].Kv.Version));

        var delete = await session.NextAsync();
        AssertHeader(delete.Header, 4);
        Assert.Equal(["Delete k=@4"], delete.Events.Select(Show));
        Assert.Equal((0L, 0L), (delete.Events[0].Kv.CreateRevision, delete.Events[0].Kv.Version));
    }

    [Fact]
    public async Task A_watch_from_an_old_revision_replays_history_with_prev_kv()
    {
        await PutAsync("p/a", "1");   // 2
        await PutAsync("p/b", "1");   // 3
        await PutAsync("p/a", "2");   // 4
        await Host.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = B("p/b") }, cancellationToken: Timeout); // 5
        await PutAsync("q", "ignored"); // 6

        await using var session = Session();
        await session.CreatedAsync(new WatchCreateRequest { Key = B("p/"), RangeEnd = B("p0"), StartRevision = 3, PrevKv = true });
        var events = new List<string>();
        while (events.Count < 3)
        {
            var response = await session.NextAsync();
            Assert.Equal(response.Events[^1].Kv.ModRevision, response.Header.Revision);
            events.AddRange(response.Events.Select(Show));
        }
        Assert.Equal(["Put p/b=1@3", "Put p/a=2@4 prev=1@2", "Delete p/b=@5 prev=1@3"], events);

        await PutAsync("p/c", "live");
        Assert.Equal(["Put p/c=live@7"], (await session.NextAsync()).Events.Select(Show));
    }

    [Fact]
    public async Task Filters_drop_puts_or_deletes()
    {
        await using var session = Session();
        await session.CreatedAsync(new WatchCreateRequest { Key = B("k"), Filters = { WatchCreateRequest.Types.FilterType.Noput } });
        await session.CreatedAsync(new WatchCreateRequest { Key = B("k"), Filters = { WatchCreateRequest.Types.FilterType.Nodelete } });
        await PutAsync("k", "v");
        await Host.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = B("k") }, cancellationToken: Timeout);

        var first = await session.NextAsync();
        var second = await session.NextAsync();
        var byWatch = new[] { first, second }.ToDictionary(r => r.WatchId, r => Show(Assert.Single(r.Events)));
        Assert.Equal("Delete k=@3", byWatch[0]);
        Assert.Equal("Put k=v@2", byWatch[1]);
    }

    [Fact]
    public async Task Several_watches_share_a_stream_with_assigned_and_chosen_ids()
    {
        await using var session = Session();
        Assert.Equal(0, (await session.CreatedAsync(new WatchCreateRequest { Key = B("a") })).WatchId);
        Assert.Equal(7, (await session.CreatedAsync(new WatchCreateRequest { Key = B("b"), WatchId = 7 })).WatchId);
        Assert.Equal(1, (await session.CreatedAsync(new WatchCreateRequest { Key = B("a"), RangeEnd = B("c") })).WatchId);

        await session.CreateAsync(new WatchCreateRequest { Key = B("x"), WatchId = 7 });
        var duplicate = await session.NextAsync();
        Assert.Equal((true, true, -1L), (duplicate.Created, duplicate.Canceled, duplicate.WatchId));
        Assert.Equal("mvcc: duplicate watch ID provided on the WatchStream", duplicate.CancelReason);

        await PutAsync("a", "1");
        await PutAsync("b", "2");
        var seen = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var response = await session.NextAsync();
            seen.AddRange(response.Events.Select(e => $"{response.WatchId}:{Show(e)}"));
        }
        seen.Sort(StringComparer.Ordinal);
        Assert.Equal(["0:Put a=1@2", "1:Put a=1@2", "1:Put b=2@3", "7:Put b=2@3"], seen);
    }

    [Fact]
    public async Task A_canceled_watch_answers_canceled_and_hears_nothing_more()
    {
        await using var session = Session();
        await session.CreatedAsync(new WatchCreateRequest { Key = B("k") });
        await session.CreatedAsync(new WatchCreateRequest { Key = B("other") });
        await PutAsync("k", "1");
        Assert.Equal(0, (await session.NextAsync()).WatchId);

        await session.CancelAsync(0);
        var canceled = await session.NextAsync();
        Assert.Equal((0L, true, false), (canceled.WatchId, canceled.Canceled, canceled.Created));
        AssertHeader(canceled.Header, 2);

        await PutAsync("k", "2");
        await session.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
        await PutAsync("other", "x");
        var other = await session.NextAsync();
        Assert.Equal(1, other.WatchId);
        Assert.Equal(["Put other=x@4"], other.Events.Select(Show));

        // Canceling an unknown id answers nothing, as in etcd.
        await session.CancelAsync(42);
        await session.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_watch_below_the_compaction_point_is_created_then_canceled_with_the_compact_revision()
    {
        await PutAsync("k", "1");
        await PutAsync("k", "2");
        await PutAsync("k", "3");
        await Host.Kv.CompactAsync(new CompactionRequest { Revision = 3 }, cancellationToken: Timeout);

        await using var session = Session();
        var created = await session.CreatedAsync(new WatchCreateRequest { Key = B("k"), StartRevision = 2 });
        var compacted = await session.NextAsync();
        Assert.Equal((created.WatchId, true, 3L), (compacted.WatchId, compacted.Canceled, compacted.CompactRevision));
        Assert.Empty(compacted.Events);
        Assert.Equal("", compacted.CancelReason);

        // At the compaction point the history is still there (a catch-up may carry several revisions at once).
        await session.CreatedAsync(new WatchCreateRequest { Key = B("k"), StartRevision = 3 });
        var replay = await session.NextAsync();
        Assert.Equal(["Put k=2@3", "Put k=3@4"], replay.Events.Select(Show));
        Assert.Equal(4, replay.Header.Revision);
    }

    [Fact]
    public async Task Refused_creates_answer_created_and_canceled_with_watch_id_minus_one()
    {
        await using var session = Session();
        await session.CreateAsync(new WatchCreateRequest { Key = B("k"), StartRevision = -1 });
        var negative = await session.NextAsync();
        Assert.Equal((true, true, -1L), (negative.Created, negative.Canceled, negative.WatchId));
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", negative.CancelReason);

        await session.CreateAsync(new WatchCreateRequest { Key = B("b"), RangeEnd = B("a") });
        var empty = await session.NextAsync();
        Assert.Equal((true, true, -1L), (empty.Created, empty.Canceled, empty.WatchId));
        Assert.Equal("mvcc: watcher range is empty", empty.CancelReason);
    }

    [Fact]
    public async Task A_progress_request_answers_watch_id_minus_one_at_the_current_revision()
    {
        await using var session = Session();
        await session.CreatedAsync(new WatchCreateRequest { Key = B("k") });
        await PutAsync("unwatched", "1");
        await PutAsync("unwatched", "2");

        await session.RequestProgressAsync();
        var progress = await session.NextAsync();
        Assert.Equal(-1, progress.WatchId);
        Assert.Empty(progress.Events);
        Assert.False(progress.Created || progress.Canceled);
        AssertHeader(progress.Header, 3);
    }

    [Fact]
    public async Task An_empty_key_watches_from_the_smallest_key()
    {
        await using var session = Session();
        await session.CreatedAsync(new WatchCreateRequest { RangeEnd = B("\0") });
        await PutAsync("anything", "v");
        Assert.Equal(["Put anything=v@2"], (await session.NextAsync()).Events.Select(Show));
    }

    [Fact]
    public async Task A_large_catch_up_is_split_between_revisions_never_inside_one()
    {
        var value = new string('v', 200 * 1024);
        for (var i = 0; i < 8; i++)
        {
            var txn = new TxnRequest();
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B($"k{i}/a"), Value = B(value) } });
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B($"k{i}/b"), Value = B(value) } });
            await Host.Kv.TxnAsync(txn, cancellationToken: Timeout);
        }

        await using var session = Session();
        await session.CreatedAsync(new WatchCreateRequest { Key = B("k"), RangeEnd = B("l"), StartRevision = 1 });
        var responses = new List<WatchResponse>();
        while (responses.Sum(r => r.Events.Count) < 16)
        {
            responses.Add(await session.NextAsync());
        }
        Assert.True(responses.Count > 1, "a 3.2 MB catch-up should not arrive as one response");
        Assert.All(responses, r =>
        {
            Assert.Equal(0, r.Events.Count % 2);
            Assert.Equal(r.Events[^1].Kv.ModRevision, r.Header.Revision);
        });
        Assert.Equal(Enumerable.Range(2, 8).SelectMany(rev => new long[] { rev, rev }), responses.SelectMany(r => r.Events).Select(e => e.Kv.ModRevision));
    }
}

/// <summary>etcd's periodic progress notifications, with a short interval.</summary>
public sealed class WatchProgressNotifyTests : EtcdApiTestBase
{
    protected override void Configure(EtcdApiOptions options) => options.ProgressNotifyInterval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_watch_with_progress_notify_hears_the_current_revision_under_its_own_id()
    {
        await using var session = new WatchSession(Host.Watch, Timeout);
        await session.CreatedAsync(new WatchCreateRequest { Key = B("k"), WatchId = 5, ProgressNotify = true });
        await session.CreateAsync(new WatchCreateRequest { Key = B("quiet"), WatchId = 6 });
        await PutAsync("unwatched", "1");

        // Ticks come every 200 ms; the one after the put names revision 2. The quiet watch never hears one.
        var seen = new List<WatchResponse>();
        while (!seen.Any(r => r.WatchId == 5 && r.Header.Revision == 2) || !seen.Any(r => r.Created))
        {
            seen.Add(await session.NextAsync());
        }
        Assert.Single(seen, r => r.Created && r.WatchId == 6);
        Assert.All(seen.Where(r => !r.Created), progress =>
        {
            Assert.Equal(5, progress.WatchId);
            Assert.Empty(progress.Events);
            Assert.False(progress.Canceled);
        });
        AssertHeader(seen.Last(r => r.WatchId == 5).Header, 2);
    }
}
