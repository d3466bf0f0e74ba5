using StateStore.Kv;
using StateStore.Raft.Tests.Cluster;
using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>
/// A follower's linearizable read just after the leader stops must see every write that leader acknowledged, although
/// the next leader may not yet know that write is committed: Raft's ReadIndex lets a leader answer only once an entry
/// of its own term is committed. DotNext 6.12's follower barrier asks the leader for its commit index and takes the
/// answer as it is; the jepsen-style harness caught the stale read this gives (ReplicatedKvStore.ReadIndexAsync).
/// </summary>
public sealed class ReadIndexTests : IDisposable
{
    private const int Rounds = 8;

    private readonly TempDirectory _dir = new("read-index");
    private readonly CancellationToken _ct = TestTimeout.Token(TimeSpan.FromMinutes(2));

    public void Dispose() => _dir.Dispose();

    private static PutRequest Put(string value) => new() { Key = Bytes.Of("k"), Value = Bytes.Of(value) };

    [Fact]
    public async Task A_follower_read_just_after_the_leader_stops_sees_every_write_that_leader_acknowledged()
    {
        var stale = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            await using var cluster = await RaftTestCluster.StartAsync(3, Path.Combine(_dir.Path, $"round{round}"), _ct);
            var leader = await cluster.WaitForLeaderAsync(_ct);
            Assert.True((await leader.Store.PutAsync(Put("old"), _ct)).IsOk);
            await cluster.WaitConvergedAsync(_ct);

            // Committed on the leader and one follower when it returns; the followers learn of the commit with the
            // leader's next round, which stopping it at once usually prevents.
            Assert.True((await leader.Store.PutAsync(Put("new"), _ct)).IsOk);
            var stopping = leader.StopAsync();
            var readers = cluster.Members.Where(m => m != leader).ToList();
            var reads = await Task.WhenAll(readers.SelectMany(r => Enumerable.Range(0, 4).Select(_ => r.Store.RangeAsync(new RangeRequest { Key = Bytes.Of("k") }, _ct).AsTask())));
            await stopping;
            foreach (var read in reads)
            {
                Assert.True(read.IsOk, read.ToString());
                var value = Bytes.Show(Assert.Single(read.Value.Kvs).Value);
                if (value != "new")
                {
                    stale.Add($"round {round}: read {value} at revision {read.Value.Revision}");
                }
            }
        }
        Assert.Empty(stale);
    }
}
