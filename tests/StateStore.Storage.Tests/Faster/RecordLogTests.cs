using StateStore.Kv;
using StateStore.Storage.Faster;
using StateStore.Testing;

namespace StateStore.Storage.Tests.Faster;

public sealed class RecordLogTests : IDisposable
{
    private readonly TempDirectory _dir = new("recordlog");

    private MvccStoreOptions Options => MvccStoreOptions.ForTests(_dir.Path) with { LogMemorySizeBits = 23, LogPageSizeBits = 21 };

    public void Dispose() => _dir.Dispose();

    private static StoredRecord Record(int i, int valueSize = 100) =>
        new(Bytes.Of($"key-{i:D6}"), Enumerable.Repeat((byte)(i % 251), valueSize).ToArray(), i, 1, 0, IsTombstone: false);

    [Fact]
    public void Reads_back_what_was_appended_including_records_spilled_to_disk()
    {
        using var log = RecordLog.Open(Options);
        // 40 MB of records against 8 MB of log memory: most reads go to disk.
        for (var i = 1; i <= 40_000; i++)
        {
            log.Append(new RevisionKey(i, 0), Record(i, 1000));
        }
        foreach (var i in new[] { 1, 2, 777, 20_000, 39_999, 40_000 })
        {
            Assert.Equal(Record(i, 1000), log.Read(new RevisionKey(i, 0)));
        }
        Assert.Null(log.Read(new RevisionKey(40_001, 0)));
        Assert.Null(log.Read(new RevisionKey(1, 1)));
    }

    [Fact]
    public async Task A_checkpoint_restores_exactly_its_records_and_cookie()
    {
        using (var log = RecordLog.Open(Options))
        {
            Assert.Null(log.RecoveredCookie);
            for (var i = 1; i <= 5_000; i++)
            {
                log.Append(new RevisionKey(i, 0), Record(i));
            }
            log.Delete(new RevisionKey(3, 0));
            await log.CheckpointAsync([1, 2, 3], TestTimeout.Token());
            // Written after the checkpoint: must not come back.
            log.Append(new RevisionKey(5_001, 0), Record(5_001));
            log.Delete(new RevisionKey(4, 0));
        }

        using var recovered = RecordLog.Open(Options);
        Assert.Equal([1, 2, 3], recovered.RecoveredCookie);
        Assert.Null(recovered.Read(new RevisionKey(3, 0)));
        Assert.Equal(Record(4), recovered.Read(new RevisionKey(4, 0)));
        Assert.Null(recovered.Read(new RevisionKey(5_001, 0)));
        var scanned = recovered.ScanAll().ToDictionary(e => e.Key, e => e.Record);
        Assert.Equal(4_999, scanned.Count);
        Assert.False(scanned.ContainsKey(new RevisionKey(3, 0)));
        var last = scanned[new RevisionKey(5_000, 0)];
        var expected = Record(5_000);
        Assert.Equal(expected.Key, last.Key);
        Assert.Equal((expected.CreateRevision, expected.Version, expected.Lease, expected.IsTombstone), (last.CreateRevision, last.Version, last.Lease, last.IsTombstone));
    }

    [Fact]
    public async Task A_second_checkpoint_replaces_the_first()
    {
        using (var log = RecordLog.Open(Options))
        {
            log.Append(new RevisionKey(1, 0), Record(1));
            await log.CheckpointAsync([1], TestTimeout.Token());
            log.Append(new RevisionKey(2, 0), Record(2));
            await log.CheckpointAsync([2], TestTimeout.Token());
        }
        using var recovered = RecordLog.Open(Options);
        Assert.Equal([2], recovered.RecoveredCookie);
        Assert.Equal(2, recovered.ScanAll().Count());
    }
}
