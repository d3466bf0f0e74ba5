using System.Diagnostics;
using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

/// <summary>
/// Leases as etcd has them: grants and revokes change no revision unless keys go; a revoke deletes every
/// attached key in one revision; keep-alive and time-to-live of a missing lease are answers (TTL 0, -1);
/// a lease that is not kept alive expires and takes its keys with it.
/// </summary>
public abstract partial class KvStoreConformanceTests
{
    protected async Task<LeaseGrantResponse> GrantAsync(long ttl, long id = 0) =>
        Ok(await Store.LeaseGrantAsync(new LeaseGrantRequest { Id = id, Ttl = ttl }, Ct));

    protected async Task<LeaseTimeToLiveResponse> TimeToLiveAsync(long id, bool keys = true) =>
        Ok(await Store.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest(id, keys), Ct));

    /// <summary>Grants leases with these ids (an hour long) so puts may name them; grants change no revision.</summary>
    protected async Task GrantLeasesAsync(params long[] ids)
    {
        foreach (var id in ids)
        {
            await GrantAsync(3600, id);
        }
    }

    [Fact]
    public async Task LeaseGrant_GivesAnIdAndTtl_AndChangesNoRevision()
    {
        await PutAsync("a", "1");

        var lease = await GrantAsync(30);

        Assert.NotEqual(0, lease.Id);
        Assert.True(lease.Ttl >= 30, $"granted TTL {lease.Ttl} is below the 30 asked for");
        Assert.Equal(2, lease.Revision);
        await AssertStatusAsync(revision: 2);
        var ttl = await TimeToLiveAsync(lease.Id);
        Assert.Equal((lease.Id, lease.Ttl), (ttl.Id, ttl.GrantedTtl));
        Assert.InRange(ttl.Ttl, lease.Ttl - 5, lease.Ttl);
        Assert.Empty(ttl.Keys);
        Assert.Equal(new[] { lease.Id }, Ok(await Store.LeaseLeasesAsync(Ct)).Ids);
    }

    [Fact]
    public async Task LeaseGrant_WithAChosenId_KeepsIt_AndRefusesItTwice()
    {
        var lease = await GrantAsync(30, id: 0x1234);

        Assert.Equal(0x1234, lease.Id);
        Fails(KvStatus.LeaseExists, await Store.LeaseGrantAsync(new LeaseGrantRequest { Id = 0x1234, Ttl = 60 }, Ct));
        Fails(KvStatus.LeaseTtlTooLarge, await Store.LeaseGrantAsync(new LeaseGrantRequest { Ttl = LeaseLimits.MaxTtl + 1 }, Ct));
        Assert.Equal(lease.Ttl, (await TimeToLiveAsync(0x1234)).GrantedTtl);
        Assert.Equal(new[] { 0x1234L }, Ok(await Store.LeaseLeasesAsync(Ct)).Ids);
    }

    [Fact]
    public async Task LeaseRevoke_DeletesEveryAttachedKey_InOneRevision()
    {
        var lease = await GrantAsync(60);
        var other = await GrantAsync(60);
        await PutAsync("k/b", "1", lease: lease.Id);     // 2
        await PutAsync("k/a", "1", lease: lease.Id);     // 3
        await PutAsync("k/c", "1", lease: other.Id);     // 4
        await PutAsync("k/d", "1");                      // 5
        AssertKv(await GetAsync("k/a"), "k/a", "1", create: 3, mod: 3, version: 1, lease: lease.Id);
        Assert.Equal(new[] { "k/a", "k/b" }, (await TimeToLiveAsync(lease.Id)).Keys.Select(k => Bytes.Show(k)));
        var watch = await WatchAsync("k/", "k0", startRevision: 6);

        var revoked = Ok(await Store.LeaseRevokeAsync(new LeaseRevokeRequest(lease.Id), Ct));

        Assert.Equal(6, revoked.Revision);
        await AssertStatusAsync(revision: 6);
        AssertKeys((await RangeAllAsync()).Kvs, "k/c,k/d");
        AssertEvents(await Drain(watch, 6), DeleteEvent("k/a", 6), DeleteEvent("k/b", 6));
        Assert.Equal(-1, (await TimeToLiveAsync(lease.Id)).Ttl);
        Assert.Equal(new[] { other.Id }, Ok(await Store.LeaseLeasesAsync(Ct)).Ids);
        Fails(KvStatus.LeaseNotFound, await Store.LeaseRevokeAsync(new LeaseRevokeRequest(lease.Id), Ct));
        await AssertStatusAsync(revision: 6);
    }

    [Fact]
    public async Task LeaseRevoke_OfALeaseWithoutKeys_ChangesNoRevision()
    {
        var lease = await GrantAsync(60);
        await PutAsync("moved", "1", lease: lease.Id);   // 2
        await PutAsync("moved", "2");                    // 3: no longer on the lease
        await PutAsync("gone", "1", lease: lease.Id);    // 4
        await DeleteAsync("gone");                       // 5

        var revoked = Ok(await Store.LeaseRevokeAsync(new LeaseRevokeRequest(lease.Id), Ct));

        Assert.Equal(5, revoked.Revision);
        await AssertStatusAsync(revision: 5);
        AssertKv(await GetAsync("moved"), "moved", "2", create: 2, mod: 3, version: 2);
    }

    [Fact]
    public async Task Put_WithAnUnknownLease_FailsLeaseNotFound_AndChangesNothing()
    {
        await PutAsync("a", "1");

        Fails(KvStatus.LeaseNotFound, await Store.PutAsync(new PutRequest { Key = B("a"), Value = B("2"), Lease = 777 }, Ct));
        Fails(KvStatus.LeaseNotFound, await Store.TxnAsync(new TxnRequest
        {
            Success = [PutOp("b", "1"), RequestOp.Of(new PutRequest { Key = B("c"), Value = B("1"), Lease = 777 })],
        }, Ct));

        await AssertStatusAsync(revision: 2);
        AssertKeys((await RangeAllAsync()).Kvs, "a");
    }

    [Fact]
    public async Task Put_WithIgnoreLease_KeepsTheKeyOnItsLease()
    {
        var lease = await GrantAsync(60);
        await PutAsync("a", "1", lease: lease.Id);       // 2
        await PutAsync(new PutRequest { Key = B("a"), Value = B("2"), IgnoreLease = true });  // 3

        AssertKv(await GetAsync("a"), "a", "2", create: 2, mod: 3, version: 2, lease: lease.Id);
        Ok(await Store.LeaseRevokeAsync(new LeaseRevokeRequest(lease.Id), Ct));
        Assert.Null(await GetAsync("a"));
        await AssertStatusAsync(revision: 4);
    }

    [Fact]
    public async Task LeaseKeepAlive_RenewsToTheGrantedTtl_AndAnswersZeroForAMissingLease()
    {
        var lease = await GrantAsync(30);

        var renewed = Ok(await Store.LeaseKeepAliveAsync(lease.Id, Ct));
        var missing = Ok(await Store.LeaseKeepAliveAsync(424242, Ct));

        Assert.Equal((lease.Id, lease.Ttl), (renewed.Id, renewed.Ttl));
        Assert.Equal((424242L, 0L), (missing.Id, missing.Ttl));
        var unknown = await TimeToLiveAsync(424242);
        Assert.Equal((-1L, 0L), (unknown.Ttl, unknown.GrantedTtl));
    }

    [Fact]
    public async Task Lease_NotKeptAlive_Expires_AndTakesItsKeys_WhileOneKeptAliveStays()
    {
        var expiring = await GrantAsync(1);
        var kept = await GrantAsync(3);
        await PutAsync("expiring", "1", lease: expiring.Id);  // 2
        await PutAsync("kept", "1", lease: kept.Id);          // 3
        var watch = await WatchAsync("expiring");

        // Keep one alive (well within its TTL, even on a loaded machine) until the other has certainly run out.
        var clock = Stopwatch.StartNew();
        var outlive = TimeSpan.FromSeconds(expiring.Ttl + 1.5);
        while (clock.Elapsed < outlive || await GetAsync("expiring") is not null)
        {
            Assert.True(clock.Elapsed < outlive + TimeSpan.FromSeconds(10), $"a {expiring.Ttl} s lease not kept alive still holds its key after {clock.Elapsed}");
            Assert.Equal(kept.Ttl, Ok(await Store.LeaseKeepAliveAsync(kept.Id, Ct)).Ttl);
            await Task.Delay(TimeSpan.FromSeconds(0.4), Ct);
        }

        AssertEvents(await Drain(watch, 4), DeleteEvent("expiring", 4));
        await AssertStatusAsync(revision: 4);
        Assert.Equal(-1, (await TimeToLiveAsync(expiring.Id)).Ttl);
        AssertKv(await GetAsync("kept"), "kept", "1", create: 3, mod: 3, version: 1, lease: kept.Id);
        Assert.Equal(new[] { kept.Id }, Ok(await Store.LeaseLeasesAsync(Ct)).Ids);
    }
}
