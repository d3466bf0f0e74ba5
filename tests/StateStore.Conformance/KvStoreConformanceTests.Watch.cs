using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    protected async Task<IKvWatch> WatchAsync(WatchRequest request) => Ok(await Store.WatchAsync(request, Ct));

    protected Task<IKvWatch> WatchAsync(string key, string? rangeEnd = null, long startRevision = 0, bool prevKv = false) =>
        WatchAsync(new WatchRequest { Key = B(key), RangeEnd = rangeEnd is null ? null : B(rangeEnd), StartRevision = startRevision, PrevKv = prevKv });

    protected static WatchRequest WatchPrefix(string prefix, long startRevision = 0) =>
        new() { Key = B(prefix), RangeEnd = Bytes.PrefixEnd(B(prefix)), StartRevision = startRevision };

    /// <summary>
    /// Reads a watch until it has covered <paramref name="untilRevision"/>, checking on the way that
    /// deliveries move forward, that each event lies within its delivery and that the watch does not end.
    /// </summary>
    protected async Task<List<WatchEvent>> Drain(IKvWatch watch, long untilRevision, CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : Ct;
        var events = new List<WatchEvent>();
        long lastDelivery = 0, lastEvent = 0;
        while (lastDelivery < untilRevision && lastEvent < untilRevision)
        {
            var response = await watch.ReadAsync(token);
            Assert.False(response.IsEnd, $"the watch ended ({response.EndReason}) after revision {lastEvent}, before {untilRevision}");
            AppendChecked(response, events, ref lastDelivery, ref lastEvent);
        }
        return events;
    }

    /// <summary>Reads a watch until it ends; returns what it delivered and the end.</summary>
    protected async Task<(List<WatchEvent> Events, WatchResponse End)> DrainToEnd(IKvWatch watch, CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : Ct;
        var events = new List<WatchEvent>();
        long lastDelivery = 0, lastEvent = 0;
        while (true)
        {
            var response = await watch.ReadAsync(token);
            if (response.IsEnd)
            {
                Assert.Empty(response.Events);
                return (events, response);
            }
            AppendChecked(response, events, ref lastDelivery, ref lastEvent);
        }
    }

    private static void AppendChecked(WatchResponse response, List<WatchEvent> events, ref long lastDelivery, ref long lastEvent)
    {
        Assert.True(response.Revision >= lastDelivery, $"delivery revision went back from {lastDelivery} to {response.Revision}");
        foreach (var e in response.Events)
        {
            var revision = e.Kv.ModRevision;
            Assert.True(revision >= lastEvent, $"event at {revision} after one at {lastEvent}");
            Assert.True(revision > lastDelivery, $"event at {revision} repeats a revision an earlier delivery covered (up to {lastDelivery})");
            Assert.True(revision <= response.Revision, $"event at {revision} in a delivery that covers only up to {response.Revision}");
            lastEvent = revision;
            events.Add(e);
        }
        lastDelivery = response.Revision;
    }

    [Fact]
    public async Task Watch_FromAnOldRevision_ReplaysHistory_ThenGoesLive()
    {
        await GrantLeasesAsync(3);
        await PutAsync("a", "1");          // 2
        await PutAsync("a", "2", lease: 3); // 3
        await PutAsync("b", "1");          // 4
        await DeleteAsync("a");            // 5

        await using var watch = await WatchAsync("a", startRevision: 2);
        AssertEvents(await Drain(watch, 5),
            PutEvent(Entry("a", "1", 2, 2, 1)),
            PutEvent(Entry("a", "2", 2, 3, 2, lease: 3)),
            DeleteEvent("a", 5));

        await PutAsync("b", "2");          // 6
        await PutAsync("a", "3");          // 7
        AssertEvents(await Drain(watch, 7), PutEvent(Entry("a", "3", 7, 7, 1)));
    }

    [Fact]
    public async Task Watch_FromTheMiddleOfHistory_StartsAtThatRevision()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("a", "2"); // 3
        await PutAsync("a", "3"); // 4

        await using var watch = await WatchAsync("a", startRevision: 3);

        AssertEvents(await Drain(watch, 4), PutEvent(Entry("a", "2", 2, 3, 2)), PutEvent(Entry("a", "3", 2, 4, 3)));
    }

    [Fact]
    public async Task Watch_FromTheCurrentRevision_DeliversItsEvents_ThenLive()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("a", "2"); // 3

        await using var watch = await WatchAsync("a", startRevision: await RevisionAsync());
        await PutAsync("a", "3"); // 4

        AssertEvents(await Drain(watch, 4), PutEvent(Entry("a", "2", 2, 3, 2)), PutEvent(Entry("a", "3", 2, 4, 3)));
    }

    [Fact]
    public async Task Watch_FromZero_DeliversOnlyNewEvents()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("a", "2"); // 3

        await using var watch = await WatchAsync("a");
        await PutAsync("a", "3"); // 4
        await DeleteAsync("a");   // 5

        AssertEvents(await Drain(watch, 5), PutEvent(Entry("a", "3", 2, 4, 3)), DeleteEvent("a", 5));
    }

    [Fact]
    public async Task Watch_FromACompactedRevision_EndsCompacted_WithTheCompactionPoint()
    {
        await PutAsync("a", "1"); // 2
        await PutAsync("a", "2"); // 3
        await PutAsync("a", "3"); // 4
        Ok(await Store.CompactAsync(new CompactRequest { Revision = 3 }, Ct));

        await using (var compacted = await WatchAsync("a", startRevision: 2))
        {
            var (events, end) = await DrainToEnd(compacted);
            Assert.Empty(events);
            Assert.Equal(WatchEndReason.Compacted, end.EndReason);
            Assert.Equal(3, end.CompactRevision);

            var again = await compacted.ReadAsync(Ct);
            Assert.Equal(WatchEndReason.Compacted, again.EndReason);
        }

        await using var atPoint = await WatchAsync("a", startRevision: 3);
        AssertEvents(await Drain(atPoint, 4), PutEvent(Entry("a", "2", 2, 3, 2)), PutEvent(Entry("a", "3", 2, 4, 3)));
    }

    [Fact]
    public async Task Watch_Range_And_Prefix_DeliverOnlyMatchingKeys()
    {
        await using var range = await WatchAsync("b", "d");
        await using var prefix = await WatchAsync(WatchPrefix("p/"));
        await using var from = await WatchAsync("m", "\0");

        await PutAsync("a", "1");  // 2
        await PutAsync("b", "1");  // 3
        await PutAsync("p/1", "1"); // 4
        await PutAsync("c", "1");  // 5
        await PutAsync("d", "1");  // 6
        await PutAsync("p", "1");  // 7
        await PutAsync("bb", "1"); // 8
        await PutAsync("p0", "1"); // 9
        await DeleteAsync("p/1");  // 10
        await DeleteAsync("b", "c"); // 11: b and bb

        AssertEvents(await Drain(range, 11),
            PutEvent(Entry("b", "1", 3, 3, 1)),
            PutEvent(Entry("c", "1", 5, 5, 1)),
            PutEvent(Entry("bb", "1", 8, 8, 1)),
            DeleteEvent("b", 11),
            DeleteEvent("bb", 11));
        AssertEvents(await Drain(prefix, 10), PutEvent(Entry("p/1", "1", 4, 4, 1)), DeleteEvent("p/1", 10));
        AssertEvents(await Drain(from, 10),
            PutEvent(Entry("p/1", "1", 4, 4, 1)),
            PutEvent(Entry("p", "1", 7, 7, 1)),
            PutEvent(Entry("p0", "1", 9, 9, 1)),
            DeleteEvent("p/1", 10));
    }

    [Fact]
    public async Task Watch_PrevKv_CarriesThePreviousVersion()
    {
        await GrantLeasesAsync(5);
        await PutAsync("a", "0"); // 2
        await using var withPrev = await WatchAsync("a", prevKv: true);
        await using var without = await WatchAsync("a");

        await PutAsync("a", "1", lease: 5); // 3
        await PutAsync("a", "2");           // 4
        await DeleteAsync("a");             // 5
        await PutAsync("a", "3");           // 6

        AssertEvents(await Drain(withPrev, 6),
            PutEvent(Entry("a", "1", 2, 3, 2, lease: 5), prev: Entry("a", "0", 2, 2, 1)),
            PutEvent(Entry("a", "2", 2, 4, 3), prev: Entry("a", "1", 2, 3, 2, lease: 5)),
            DeleteEvent("a", 5, prev: Entry("a", "2", 2, 4, 3)),
            PutEvent(Entry("a", "3", 6, 6, 1)));
        AssertEvents(await Drain(without, 6),
            PutEvent(Entry("a", "1", 2, 3, 2, lease: 5)),
            PutEvent(Entry("a", "2", 2, 4, 3)),
            DeleteEvent("a", 5),
            PutEvent(Entry("a", "3", 6, 6, 1)));
    }

    [Fact]
    public async Task Watch_NoPut_And_NoDelete_DropThoseEvents()
    {
        await using var noPut = await WatchAsync(new WatchRequest { Key = B("a"), NoPut = true });
        await using var noDelete = await WatchAsync(new WatchRequest { Key = B("a"), NoDelete = true });

        await PutAsync("a", "1"); // 2
        await DeleteAsync("a");   // 3
        await PutAsync("a", "2"); // 4
        await DeleteAsync("a");   // 5

        AssertEvents(await Drain(noPut, 5), DeleteEvent("a", 3), DeleteEvent("a", 5));
        AssertEvents(await Drain(noDelete, 4), PutEvent(Entry("a", "1", 2, 2, 1)), PutEvent(Entry("a", "2", 4, 4, 1)));
    }

    [Fact]
    public async Task Watch_ATxnsEvents_ArriveTogether_AtOneRevision_InExecutionOrder()
    {
        await PutAsync("t/0", "0"); // 2
        await using var watch = await WatchAsync(WatchPrefix("t/"));

        await TxnAsync(new TxnRequest { Success = [PutOp("t/2", "2"), DeleteOp("t/0"), PutOp("t/1", "1"), PutOp("u", "x")] }); // 3
        await PutAsync("t/3", "3"); // 4

        WatchResponse first;
        do
        {
            first = await watch.ReadAsync(Ct);
            Assert.False(first.IsEnd);
        }
        while (first.Events.Count == 0);

        var txnEvents = first.Events.TakeWhile(e => e.Kv.ModRevision == 3).ToList();
        AssertEvents(txnEvents,
            PutEvent(Entry("t/2", "2", 3, 3, 1)),
            DeleteEvent("t/0", 3),
            PutEvent(Entry("t/1", "1", 3, 3, 1)));
        var rest = first.Events.Skip(txnEvents.Count).ToList();
        if (first.Revision < 4)
        {
            rest.AddRange(await Drain(watch, 4));
        }
        AssertEvents(rest, PutEvent(Entry("t/3", "3", 4, 4, 1)));
    }

    [Fact]
    public async Task Watch_Disposed_EndsCancelled_OthersKeepGoing()
    {
        await using var kept = await WatchAsync("a");
        var cancelled = await WatchAsync("a");
        await PutAsync("a", "1"); // 2
        AssertEvents(await Drain(cancelled, 2), PutEvent(Entry("a", "1", 2, 2, 1)));

        // A read waiting when the watch is disposed ends with it.
        var pending = cancelled.ReadAsync(Ct).AsTask();
        await cancelled.DisposeAsync();
        var end = await pending.WaitAsync(Ct);
        while (!end.IsEnd)
        {
            Assert.Empty(end.Events);
            end = await cancelled.ReadAsync(Ct);
        }
        Assert.Equal(WatchEndReason.Cancelled, end.EndReason);
        Assert.Equal(WatchEndReason.Cancelled, (await cancelled.ReadAsync(Ct)).EndReason);

        await PutAsync("a", "2"); // 3
        AssertEvents(await Drain(kept, 3), PutEvent(Entry("a", "1", 2, 2, 1)), PutEvent(Entry("a", "2", 2, 3, 2)));
    }

    [Fact]
    public async Task Watch_ClosingTheStore_EndsEveryWatchStoreClosed()
    {
        var store = await NewStoreAsync();
        var live = Ok(await store.WatchAsync(new WatchRequest { Key = B("a") }, Ct));
        var prefix = Ok(await store.WatchAsync(WatchPrefix("p"), Ct));
        Ok(await store.PutAsync(new PutRequest { Key = B("a"), Value = B("1") }, Ct)); // 2
        AssertEvents(await Drain(live, 2), PutEvent(Entry("a", "1", 2, 2, 1)));

        await CloseStoreAsync(store);

        foreach (var watch in new[] { live, prefix })
        {
            var (events, end) = await DrainToEnd(watch);
            Assert.Empty(events);
            Assert.Equal(WatchEndReason.StoreClosed, end.EndReason);
            await watch.DisposeAsync();
        }
    }
}
