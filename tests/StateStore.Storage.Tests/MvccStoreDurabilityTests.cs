using System.Text;
using StateStore.Kv;
using StateStore.Testing;

namespace StateStore.Storage.Tests;

/// <summary>Checkpoint and recovery of the FASTER-backed store: same state back, nothing more, damage refused.</summary>
public sealed class MvccStoreDurabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new("durability");

    public void Dispose() => _dir.Dispose();

    /// <summary>Small log memory, so most records have spilled to disk by the time they are read.</summary>
    private MvccStoreOptions Options => MvccStoreOptions.ForTests(_dir.Path) with { LogMemorySizeBits = 23, LogPageSizeBits = 21 };

    private static byte[] B(string s) => Bytes.Of(s);

    private static KeyValue[] All(MvccStore store, long revision = 0) =>
        [.. store.Range(new RangeRequest { Key = [0], RangeEnd = Bytes.AllFrom, Revision = revision }).Value.Kvs];

    [Fact]
    public async Task Recovery_restores_the_same_revisions_versions_answers_and_hash()
    {
        var random = new Random(7);
        long revision;
        long compactRevision;
        uint hash;
        var snapshots = new Dictionary<long, KeyValue[]>();
        using (var store = MvccStore.Open(Options))
        {
            for (var i = 0; i < 3_000; i++)
            {
                var key = B($"k{random.Next(200):D3}");
                if (random.Next(10) == 0)
                {
                    store.DeleteRange(new DeleteRangeRequest { Key = key, RangeEnd = Bytes.PrefixEnd(B($"k{random.Next(20):D2}")) });
                }
                else
                {
                    var value = new byte[random.Next(1, 2_000)];
                    random.NextBytes(value);
                    store.Put(new PutRequest { Key = key, Value = value, Lease = random.Next(3) });
                }
                if (i == 1_500)
                {
                    store.Compact(new CompactRequest { Revision = store.Revision - 200 });
                }
            }
            revision = store.Revision;
            compactRevision = store.CompactRevision;
            for (var r = compactRevision; r <= revision; r += 97)
            {
                snapshots[r] = All(store, r);
            }
            hash = store.HashKv(0).Value.Hash;
            await store.CheckpointAsync(appliedIndex: 1234, TestTimeout.Token());
        }

        using var recovered = MvccStore.Open(Options);
        Assert.Equal(revision, recovered.Revision);
        Assert.Equal(compactRevision, recovered.CompactRevision);
        Assert.Equal(1234, recovered.CheckpointedIndex);
        Assert.Equal(hash, recovered.HashKv(0).Value.Hash);
        foreach (var (r, kvs) in snapshots)
        {
            Assert.Equal(kvs, All(recovered, r));
        }
        Assert.Equal(KvStatus.Compacted, recovered.Range(new RangeRequest { Key = B("k"), Revision = compactRevision - 1 }).Status);

        // It goes on from where it was: the next write gets the next revision and the right version.
        var last = All(recovered).First();
        var put = recovered.Put(new PutRequest { Key = last.Key, Value = B("after"), PrevKv = true }).Value;
        Assert.Equal(revision + 1, put.Revision);
        Assert.Equal(last, put.PrevKv);
        var now = Assert.Single(recovered.Range(new RangeRequest { Key = last.Key }).Value.Kvs);
        Assert.Equal((last.CreateRevision, last.Version + 1), (now.CreateRevision, now.Version));
    }

    [Fact]
    public async Task Recovery_restores_leases_with_their_ttls_and_attached_keys()
    {
        using (var store = MvccStore.Open(Options))
        {
            store.LeaseGrant(new LeaseGrantRequest { Id = 5, Ttl = 30 });
            store.LeaseGrant(new LeaseGrantRequest { Id = 9, Ttl = 90 });
            store.Put(new PutRequest { Key = B("a"), Value = B("1"), Lease = 5 });   // 2
            store.Put(new PutRequest { Key = B("b"), Value = B("1"), Lease = 5 });   // 3
            store.Put(new PutRequest { Key = B("c"), Value = B("1"), Lease = 9 });   // 4
            store.Put(new PutRequest { Key = B("b"), Value = B("2"), Lease = 9 });   // 5: moved to lease 9
            await store.CheckpointAsync(appliedIndex: 3, TestTimeout.Token());
            store.LeaseGrant(new LeaseGrantRequest { Id = 11, Ttl = 30 });          // after the checkpoint: lost
        }

        using var recovered = MvccStore.Open(Options);
        Assert.Equal(new[] { (5L, 30L), (9L, 90L) }, recovered.Leases);
        Assert.Equal(new[] { "b", "c" }, recovered.LeaseInfo(9, keys: true).Keys.Select(k => Bytes.Show(k)));
        Assert.Equal(6, recovered.LeaseRevoke(new LeaseRevokeRequest(5)).Value.Revision);
        Assert.Equal(new[] { "b", "c" }, All(recovered).Select(kv => Bytes.Show(kv.Key)));
        Assert.Equal(KvStatus.LeaseNotFound, recovered.Put(new PutRequest { Key = B("d"), Lease = 11 }).Status);
    }

    [Fact]
    public async Task Writes_after_the_last_checkpoint_are_not_recovered()
    {
        using (var store = MvccStore.Open(Options))
        {
            store.Put(new PutRequest { Key = B("kept"), Value = B("1") });
            await store.CheckpointAsync(appliedIndex: 1, TestTimeout.Token());
            store.Put(new PutRequest { Key = B("lost"), Value = B("2") });
            store.DeleteRange(new DeleteRangeRequest { Key = B("kept") });
        }
        using var recovered = MvccStore.Open(Options);
        Assert.Equal(2, recovered.Revision);
        var kv = Assert.Single(All(recovered));
        Assert.Equal("kept", Encoding.UTF8.GetString(kv.Key));
    }

    [Fact]
    public async Task A_checkpoint_taken_under_concurrent_writes_matches_its_recorded_revision()
    {
        using (var store = MvccStore.Open(Options))
        {
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(() =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    store.Put(new PutRequest { Key = B($"w{i % 500:D3}"), Value = B($"{i}") });
                    i++;
                }
            });
            for (var c = 1; c <= 5; c++)
            {
                await Task.Delay(20);
                await store.CheckpointAsync(appliedIndex: c, TestTimeout.Token());
            }
            stop.Cancel();
            await writer;
        }

        // The recovered store is exactly the checkpointed revision: every revision up to it readable,
        // the key versions consistent with it, and nothing above it.
        using var recovered = MvccStore.Open(Options);
        Assert.Equal(5, recovered.CheckpointedIndex);
        var kvs = All(recovered);
        Assert.Equal(recovered.Revision, kvs.Max(kv => kv.ModRevision));
        Assert.Equal(recovered.Revision - 1, kvs.Sum(kv => kv.Version));
    }

    [Fact]
    public async Task A_damaged_checkpoint_is_refused_not_trusted()
    {
        using (var store = MvccStore.Open(Options))
        {
            store.Put(new PutRequest { Key = B("a"), Value = B("1") });
            await store.CheckpointAsync(appliedIndex: 9, TestTimeout.Token());
        }
        // FASTER keeps the checkpoint's metadata, our position cookie among it (base64), in info.dat.
        var info = Directory.EnumerateFiles(Path.Combine(_dir.Path, "checkpoints", "cpr-checkpoints"), "info.dat*", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(info);
        var cookie = Convert.ToBase64String(new StorePosition(new AppliedPosition(9, 0), 2, 0).ToCookie());
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(cookie));
        Assert.True(at > 0, "the position cookie should be in the checkpoint metadata");
        bytes[at + 12] = (byte)(bytes[at + 12] == (byte)'A' ? 'B' : 'A');
        File.WriteAllBytes(info, bytes);

        var error = Assert.ThrowsAny<Exception>(() => MvccStore.Open(Options).Dispose());
        Assert.Matches("(?i)checksum|corrupt", error.Message);
    }

    [Fact]
    public void A_position_cookie_that_fails_its_checks_is_refused()
    {
        var cookie = new StorePosition(new AppliedPosition(5, 2), Revision: 10, CompactRevision: 3) { Leases = [(4, 60), (7, 5)] }.ToCookie();
        Assert.Equal(new StorePosition(new AppliedPosition(5, 2), 10, 3) { Leases = [(4, 60), (7, 5)] }, StorePosition.FromCookie(cookie));
        Assert.NotEqual(new StorePosition(new AppliedPosition(5, 2), 10, 3), StorePosition.FromCookie(cookie));
        Assert.Equal(StorePosition.Empty, StorePosition.FromCookie(null));

        var flipped = (byte[])cookie.Clone();
        flipped[10] ^= 1;
        Assert.Contains("checksum", Assert.Throws<StoreCorruptException>(() => StorePosition.FromCookie(flipped)).Message);
        Assert.Contains("not a StateStore position", Assert.Throws<StoreCorruptException>(() => StorePosition.FromCookie(cookie[..^1])).Message);
        Assert.Contains("impossible", Assert.Throws<StoreCorruptException>(() => StorePosition.FromCookie(new StorePosition(new AppliedPosition(5, 2), 3, 10).ToCookie())).Message);
    }

    [Fact]
    public async Task A_watcher_far_behind_catches_up_from_records_spilled_to_disk()
    {
        using var store = MvccStore.Open(Options);
        var value = new byte[1_000];
        for (var i = 0; i < 20_000; i++)
        {
            store.Put(new PutRequest { Key = B($"s{i % 1_000:D4}"), Value = value });
        }
        var watch = store.Watch(new WatchRequest { Key = B("s"), RangeEnd = Bytes.PrefixEnd(B("s")), StartRevision = 2 }).Value;
        var expected = 2L;
        while (expected <= store.Revision)
        {
            var response = await watch.ReadAsync(TestTimeout.Token());
            Assert.False(response.IsEnd);
            foreach (var e in response.Events)
            {
                Assert.Equal(expected++, e.Kv.ModRevision);
            }
        }
        Assert.Equal(20_002, expected);
    }

    [Fact]
    public async Task Readers_never_see_half_of_a_transaction()
    {
        // Ten accounts hold 1,000 in all; each txn moves one unit between two of them.
        using var store = MvccStore.Open(Options);
        for (var a = 0; a < 10; a++)
        {
            store.Put(new PutRequest { Key = B($"acct/{a}"), Value = B("100") });
        }
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            var random = new Random(3);
            while (!stop.IsCancellationRequested)
            {
                var kvs = All(store);
                var (from, to) = (kvs[random.Next(10)], kvs[random.Next(10)]);
                if (from.Key.AsSpan().SequenceEqual(to.Key))
                {
                    continue;
                }
                store.Txn(new TxnRequest
                {
                    Compare =
                    [
                        new Compare { Key = from.Key, Target = CompareTarget.Mod, Number = from.ModRevision },
                        new Compare { Key = to.Key, Target = CompareTarget.Mod, Number = to.ModRevision },
                    ],
                    Success =
                    [
                        RequestOp.Of(new PutRequest { Key = from.Key, Value = B($"{int.Parse(from.Value) - 1}") }),
                        RequestOp.Of(new PutRequest { Key = to.Key, Value = B($"{int.Parse(to.Value) + 1}") }),
                    ],
                });
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                Assert.Equal(1_000, All(store).Sum(kv => int.Parse(kv.Value)));
            }
        })).ToArray();
        await Task.WhenAll(readers).WaitAsync(TestTimeout.Token());
        stop.Cancel();
        await writer;
        Assert.True(store.Revision > 100, "the writer should have committed transfers while the readers read");
    }
}
