using Etcdserverpb;
using Grpc.Core;

namespace StateStore.EtcdApi.Tests;

/// <summary>etcd's Lease service over the wire: the generated client, and dotnet-etcd's EtcdClient as an application uses it.</summary>
public sealed class LeaseServiceTests : EtcdApiTestBase
{
    [Fact]
    public async Task Grant_put_with_the_lease_time_to_live_with_keys_and_revoke()
    {
        var granted = await Host.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 }, cancellationToken: Timeout);
        Assert.NotEqual(0, granted.ID);
        Assert.Equal(60, granted.TTL);
        AssertHeader(granted.Header, revision: 1);
        await Host.Kv.PutAsync(new PutRequest { Key = B("job/1"), Value = B("a"), Lease = granted.ID }, cancellationToken: Timeout);
        await Host.Kv.PutAsync(new PutRequest { Key = B("job/2"), Value = B("b"), Lease = granted.ID }, cancellationToken: Timeout);

        var ttl = await Host.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = granted.ID, Keys = true }, cancellationToken: Timeout);
        Assert.Equal((granted.ID, 60L), (ttl.ID, ttl.GrantedTTL));
        Assert.InRange(ttl.TTL, 55, 60);
        Assert.Equal(["job/1", "job/2"], ttl.Keys.Select(S));
        var leases = await Host.Lease.LeaseLeasesAsync(new LeaseLeasesRequest(), cancellationToken: Timeout);
        Assert.Equal([granted.ID], leases.Leases.Select(l => l.ID));

        var revoked = await Host.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = granted.ID }, cancellationToken: Timeout);
        AssertHeader(revoked.Header, revision: 4);
        Assert.Equal(0, (await GetAsync(new RangeRequest { Key = B("job/"), RangeEnd = B("job0") })).Count);
        var gone = await Host.Lease.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = granted.ID }, cancellationToken: Timeout);
        Assert.Equal(-1, gone.TTL);
    }

    [Fact]
    public async Task Keep_alive_stream_renews_each_lease_and_answers_ttl_zero_for_a_missing_one()
    {
        var granted = await Host.Lease.LeaseGrantAsync(new LeaseGrantRequest { ID = 0x77, TTL = 30 }, cancellationToken: Timeout);
        Assert.Equal(0x77, granted.ID);
        using var call = Host.Lease.LeaseKeepAlive(cancellationToken: Timeout);

        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = 0x77 }, Timeout);
        Assert.True(await call.ResponseStream.MoveNext(Timeout));
        var renewed = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = 0x78 }, Timeout);
        Assert.True(await call.ResponseStream.MoveNext(Timeout));
        var missing = call.ResponseStream.Current;
        await call.RequestStream.CompleteAsync();

        Assert.Equal((0x77L, 30L), (renewed.ID, renewed.TTL));
        AssertHeader(renewed.Header, revision: 1);
        Assert.Equal((0x78L, 0L), (missing.ID, missing.TTL));
        Assert.False(await call.ResponseStream.MoveNext(Timeout));
    }

    [Fact]
    public async Task Lease_errors_use_etcds_codes_and_messages_and_change_nothing()
    {
        await Host.Lease.LeaseGrantAsync(new LeaseGrantRequest { ID = 5, TTL = 30 }, cancellationToken: Timeout);

        await AssertFailsAsync(StatusCode.FailedPrecondition, "etcdserver: lease already exists",
            async () => await Host.Lease.LeaseGrantAsync(new LeaseGrantRequest { ID = 5, TTL = 30 }, cancellationToken: Timeout));
        await AssertFailsAsync(StatusCode.OutOfRange, "etcdserver: too large lease TTL",
            async () => await Host.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = 9_000_000_001 }, cancellationToken: Timeout));
        await AssertFailsAsync(StatusCode.NotFound, "etcdserver: requested lease not found",
            async () => await Host.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = 6 }, cancellationToken: Timeout));
        await AssertFailsAsync(StatusCode.NotFound, "etcdserver: requested lease not found",
            async () => await Host.Kv.PutAsync(new PutRequest { Key = B("k"), Value = B("v"), Lease = 6 }, cancellationToken: Timeout));

        Assert.Equal(1, await RevisionAsync());
        var leases = await Host.Lease.LeaseLeasesAsync(new LeaseLeasesRequest(), cancellationToken: Timeout);
        Assert.Equal([5L], leases.Leases.Select(l => l.ID));
    }

    [Fact]
    public async Task The_clients_lease_expires_and_its_key_goes_unless_kept_alive()
    {
        using var client = Host.CreateEtcdClient();
        var expiring = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 2 }, cancellationToken: Timeout);
        var kept = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 4 }, cancellationToken: Timeout);
        await client.PutAsync(new PutRequest { Key = B("expiring"), Value = B("1"), Lease = expiring.ID }, cancellationToken: Timeout);
        await client.PutAsync(new PutRequest { Key = B("kept"), Value = B("1"), Lease = kept.ID }, cancellationToken: Timeout);

        // The client's keep-alive runs until cancelled (or, in versions that send one, is sent again).
        using var keeping = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        var keepAlive = Task.Run(async () =>
        {
            while (!keeping.IsCancellationRequested)
            {
                await client.LeaseKeepAlive(kept.ID, keeping.Token);
                await Task.Delay(300, keeping.Token);
            }
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3) || await client.GetValAsync("expiring", cancellationToken: Timeout) != "")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "a 2 s lease not kept alive still holds its key after 15 s");
            Assert.False(keepAlive.IsFaulted, keepAlive.Exception?.ToString());
            await Task.Delay(200, Timeout);
        }
        await keeping.CancelAsync();
        await Task.WhenAny(keepAlive, Task.Delay(2000, Timeout));

        Assert.Equal("1", await client.GetValAsync("kept", cancellationToken: Timeout));
        var ttl = await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = expiring.ID }, cancellationToken: Timeout);
        Assert.Equal(-1, ttl.TTL);
    }
}
