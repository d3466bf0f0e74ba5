using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

public abstract partial class KvStoreConformanceTests
{
    /// <summary>
    /// Enough writes to overrun the store's watcher queue several times over (5,000 for the default queue of
    /// 1,024 deliveries); a store built with a shorter queue may say fewer, so slow replicated writes stay short.
    /// </summary>
    protected virtual int SlowWatcherWrites => 5_000;

    [Fact]
    public async Task Watch_100ConcurrentWatchers_OnOnePrefix_AllReceiveEveryEventInOrder()
    {
        var expected = new ExpectedEvents();
        expected.Put("w/0", "before", (await PutAsync("w/0", "before")).Revision); // 2: before the watches
        expected.Events.Clear();

        var watchers = new List<IKvWatch>();
        try
        {
            for (var i = 0; i < 100; i++)
            {
                watchers.Add(await WatchAsync(WatchPrefix("w/")));
            }

            // Every write is a matching one except every tenth, so the last revision has an event.
            const int writes = 200;
            var last = 2L + writes;
            var readers = watchers.Select(w => Task.Run(() => Drain(w, last))).ToArray();
            await WriteHistoryAsync(expected, "w/", keys: 7, writes, nonMatchingKey: "wx");

            var received = await Task.WhenAll(readers).WaitAsync(Ct);

            Assert.Equal(last, await RevisionAsync());
            for (var i = 0; i < received.Length; i++)
            {
                Assert.True(received[i].Count == expected.Events.Count, $"watcher {i} got {received[i].Count} events, expected {expected.Events.Count}");
                AssertSameEvents(expected.Events, received[i]);
            }
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Watch_ASlowWatcherThatDoesNotRead_LaterReceivesEveryEvent_NoGapNoDuplicate()
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(3));
        var expected = new ExpectedEvents();
        await using var slow = await WatchAsync(WatchPrefix("s/"));
        await using var fast = await WatchAsync(WatchPrefix("s/"));
        var last = 1L + SlowWatcherWrites;
        var fastReader = Task.Run(() => Drain(fast, last, ct));

        await WriteHistoryAsync(expected, "s/", keys: 50, SlowWatcherWrites, nonMatchingKey: null, ct);

        Assert.Equal(last, await RevisionAsync());
        AssertSameEvents(expected.Events, await fastReader.WaitAsync(ct));
        AssertSameEvents(expected.Events, await Drain(slow, last, ct));
    }

    [Fact]
    public async Task Watch_ASlowWatcherFarBehind_CutByALaterCompaction_EndsCompacted()
    {
        var ct = TestTimeout.Token(TimeSpan.FromMinutes(3));
        var expected = new ExpectedEvents();
        await using var slow = await WatchAsync(WatchPrefix("c/"));
        await WriteHistoryAsync(expected, "c/", keys: 50, SlowWatcherWrites, nonMatchingKey: null, ct);
        var compactAt = await RevisionAsync();
        Assert.Equal(1L + SlowWatcherWrites, compactAt);

        Ok(await Store.CompactAsync(new CompactRequest { Revision = compactAt, Physical = true }, ct));

        // What it still had queued may arrive first, in order; then the watch ends at the compaction point.
        var (events, end) = await DrainToEnd(slow, ct);
        Assert.Equal(WatchEndReason.Compacted, end.EndReason);
        Assert.Equal(compactAt, end.CompactRevision);
        Assert.True(events.Count < expected.Events.Count, $"a watcher {SlowWatcherWrites} events behind was not cut: it got all {events.Count}");
        AssertSameEvents(expected.Events.Take(events.Count).ToList(), events);
    }

    /// <summary>
    /// Writes a deterministic mix of puts and deletes over <paramref name="keys"/> keys under a prefix (and,
    /// every tenth write, a key outside it), recording the events a watch on the prefix should see.
    /// </summary>
    private async Task WriteHistoryAsync(
        ExpectedEvents expected, string prefix, int keys, int writes, string? nonMatchingKey, CancellationToken ct = default)
    {
        var token = ct.CanBeCanceled ? ct : Ct;
        var revision = await RevisionAsync();
        for (var i = 0; i < writes; i++)
        {
            var key = $"{prefix}{i % keys}";
            long written;
            if (nonMatchingKey is not null && i % 10 == 5)
            {
                written = Ok(await Store.PutAsync(new PutRequest { Key = B(nonMatchingKey), Value = B($"{i}") }, token)).Revision;
            }
            else if (i % 4 == 3 && expected.IsLive(key))
            {
                written = Ok(await Store.DeleteRangeAsync(new DeleteRangeRequest { Key = B(key) }, token)).Revision;
                expected.Delete(key, written);
            }
            else
            {
                written = Ok(await Store.PutAsync(new PutRequest { Key = B(key), Value = B($"{i}") }, token)).Revision;
                expected.Put(key, $"{i}", written);
            }
            Assert.Equal(++revision, written);
        }
    }

    /// <summary>The events a watch without PrevKv should deliver for a history, worked out as it is written.</summary>
    private sealed class ExpectedEvents
    {
        private readonly Dictionary<string, KeyValue> _live = [];

        public List<WatchEvent> Events { get; } = [];

        public bool IsLive(string key) => _live.ContainsKey(key);

        public void Put(string key, string value, long revision)
        {
            var kv = _live.TryGetValue(key, out var previous)
                ? Entry(key, value, previous.CreateRevision, revision, previous.Version + 1)
                : Entry(key, value, revision, revision, 1);
            _live[key] = kv;
            Events.Add(PutEvent(kv));
        }

        public void Delete(string key, long revision)
        {
            Assert.True(_live.Remove(key));
            Events.Add(DeleteEvent(key, revision));
        }
    }
}
