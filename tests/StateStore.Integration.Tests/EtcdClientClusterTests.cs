using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// dotnet-etcd's EtcdClient and the generated etcd clients, unmodified, against real clusters of one and
/// three members: every service an application uses, a watch resumed on another member after its member
/// is killed, and a lease that survives a leader kill and then expires.
/// </summary>
public sealed class EtcdClientClusterTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(120))
{
    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    private static EtcdClient ClientFor(IEnumerable<ServerProcess> members) =>
        new(string.Join(",", members.Select(m => m.Config.ClientUrl)), configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public Task Every_service_answers_the_client_like_etcd(int size) => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync(new ClusterOptions { Size = size });
        using var client = ClientFor(cluster.Members);

        var first = await client.PutAsync("app/a", "1", cancellationToken: Timeout);
        await client.PutAsync("app/b", "2", cancellationToken: Timeout);
        Assert.Equal("1", await client.GetValAsync("app/a", cancellationToken: Timeout));
        Assert.Equal(["app/a=1", "app/b=2"], (await client.GetRangeValAsync("app/", cancellationToken: Timeout)).Select(p => $"{p.Key}={p.Value}").Order());
        var txn = await client.TransactionAsync(new TxnRequest
        {
            Compare = { new Compare { Key = B("app/a"), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = B("1") } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = B("app/a"), Value = B("3") } } },
        }, cancellationToken: Timeout);
        Assert.True(txn.Succeeded);
        // Not first + 2: the member's Kubernetes API may write its system namespaces meanwhile.
        Assert.True(txn.Header.Revision > first.Header.Revision + 1, $"txn at {txn.Header.Revision}, first put at {first.Header.Revision}");
        var a = (await client.GetAsync("app/a", cancellationToken: Timeout)).Kvs.Single();
        Assert.Equal(("3", txn.Header.Revision, 2L), (a.Value.ToStringUtf8(), a.ModRevision, a.Version));

        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 30 }, cancellationToken: Timeout);
        await client.PutAsync(new PutRequest { Key = B("app/leased"), Value = B("x"), Lease = lease.ID }, cancellationToken: Timeout);
        var ttl = await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID, Keys = true }, cancellationToken: Timeout);
        Assert.Equal(["app/leased"], ttl.Keys.Select(k => k.ToStringUtf8()));
        Assert.Contains(lease.ID, (await client.LeaseLeasesAsync(new LeaseLeasesRequest(), cancellationToken: Timeout)).Leases.Select(l => l.ID));
        await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID }, cancellationToken: Timeout);
        Assert.Equal("", await client.GetValAsync("app/leased", cancellationToken: Timeout));

        var deleted = await client.DeleteRangeAsync("app/", cancellationToken: Timeout);
        Assert.Equal(2, deleted.Deleted);
        await client.CompactAsync(new CompactionRequest { Revision = deleted.Header.Revision }, cancellationToken: Timeout);
        var members = await client.MemberListAsync(new MemberListRequest(), cancellationToken: Timeout);
        Assert.Equal(size, members.Members.Count);
        var status = await client.StatusAsync(new StatusRequest(), cancellationToken: Timeout);
        Assert.Equal(deleted.Header.Revision, status.Header.Revision);
        Assert.Contains(status.Leader, members.Members.Select(m => m.ID));
        Assert.Empty((await client.AlarmAsync(new AlarmRequest(), cancellationToken: Timeout)).Alarms);
    });

    [Fact]
    public Task A_watch_resumed_on_another_member_after_its_member_is_killed_sees_every_write_once_in_order() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.LeaderAsync(Timeout);
        var followers = cluster.Members.Where(m => m != leader).ToList();
        var seen = new List<(long Revision, string Key)>();
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        var watcher = Task.Run(() => WatchResumingAsync([leader, .. followers], seen, stopWatching.Token));

        var acknowledged = new List<long>();
        for (var i = 0; i < 300; i++)
        {
            if (i == 100)
            {
                await leader.KillAsync();
                Output.WriteLine($"killed {leader.Name}, which served the watch, after {seen.Count} events");
            }
            try
            {
                acknowledged.Add((await followers[i % 2].Kv.PutAsync(new PutRequest { Key = B($"w/{i:D4}"), Value = B("v") }, cancellationToken: Timeout)).Header.Revision);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // Leader changing: the write may or may not have committed; the final range says which.
            }
        }
        var committed = (await followers[0].Kv.RangeAsync(new RangeRequest { Key = B("w/"), RangeEnd = B("w0") }, cancellationToken: Timeout)).Kvs
            .Select(kv => (kv.ModRevision, kv.Key.ToStringUtf8())).OrderBy(e => e.ModRevision).ToList();
        var last = committed[^1].ModRevision;
        while (Snapshot(seen) is not [.., var newest] || newest.Revision < last)
        {
            Assert.False(watcher.IsCompleted, $"the watcher stopped: {watcher.Exception}");
            await Task.Delay(50, Timeout);
        }
        await stopWatching.CancelAsync();

        Assert.Equal(committed, Snapshot(seen));
        Assert.All(acknowledged, revision => Assert.Contains(revision, committed.Select(c => c.ModRevision)));
        Output.WriteLine($"{committed.Count} writes committed ({acknowledged.Count} acknowledged), each seen once and in order across the kill");
    });

    [Fact]
    public Task A_lease_outlives_its_deadline_across_a_leader_kill_then_expires() => RunAsync(async () =>
    {
        var cluster = await StartClusterAsync();
        var leader = await cluster.LeaderAsync(Timeout);
        var follower = cluster.Members.First(m => m != leader);
        using var client = ClientFor([follower]);
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 4 }, cancellationToken: Timeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await client.PutAsync(new PutRequest { Key = B("job"), Value = B("gpu"), Lease = lease.ID }, cancellationToken: Timeout);

        await Task.Delay(TimeSpan.FromSeconds(2.5), Timeout);
        await leader.KillAsync();
        await cluster.LeaderAsync(Timeout);
        var pastDeadline = TimeSpan.FromSeconds(lease.TTL + 0.5) - clock.Elapsed;
        if (pastDeadline > TimeSpan.Zero)
        {
            await Task.Delay(pastDeadline, Timeout);
        }
        Assert.Equal("gpu", await client.GetValAsync("job", cancellationToken: Timeout));
        var left = await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID }, cancellationToken: Timeout);
        Assert.InRange(left.TTL, 1, lease.TTL);

        while (await client.GetValAsync("job", cancellationToken: Timeout) != "")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the lease never expired after the leader kill");
            await Task.Delay(200, Timeout);
        }
        Output.WriteLine($"a {lease.TTL} s lease outlived a leader kill at 2.5 s and expired at {clock.Elapsed.TotalSeconds:F1} s");
    });

    private static List<(long Revision, string Key)> Snapshot(List<(long Revision, string Key)> seen)
    {
        lock (seen)
        {
            return [.. seen];
        }
    }

    /// <summary>Watches w/ from revision 1 on the first member that answers, resuming after the last event seen, as clientv3 does.</summary>
    private static async Task WatchResumingAsync(IReadOnlyList<ServerProcess> members, List<(long Revision, string Key)> seen, CancellationToken cancellationToken)
    {
        var next = 1L;
        for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
        {
            var member = members[attempt % members.Count];
            try
            {
                using var call = member.Watch.Watch(cancellationToken: cancellationToken);
                await call.RequestStream.WriteAsync(new WatchRequest
                {
                    CreateRequest = new WatchCreateRequest { Key = B("w/"), RangeEnd = B("w0"), StartRevision = next },
                }, cancellationToken);
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    foreach (var e in call.ResponseStream.Current.Events)
                    {
                        lock (seen)
                        {
                            seen.Add((e.Kv.ModRevision, e.Kv.Key.ToStringUtf8()));
                        }
                        next = e.Kv.ModRevision + 1;
                    }
                }
            }
            catch (RpcException) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
