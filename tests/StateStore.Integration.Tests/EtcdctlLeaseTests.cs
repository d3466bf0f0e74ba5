using System.Globalization;
using System.Text.RegularExpressions;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// etcdctl's lease commands, unmodified, against real server processes: the exact lines etcdctl 3.4 prints
/// for grant, put --lease, timetolive --keys, keep-alive --once, list and revoke, and a lease left to expire.
/// </summary>
public abstract partial class EtcdctlLeaseTests(EtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlTest(cluster, output)
{
    [GeneratedRegex("^lease ([0-9a-f]{16}) granted with TTL\\((\\d+)s\\)$")]
    private static partial Regex Granted();

    private async Task<(string Id, long Ttl)> GrantAsync(long ttl)
    {
        var line = Assert.Single((await Etcdctl.SucceedsAsync($"lease grant {ttl}", Timeout)).Lines);
        var match = Granted().Match(line);
        Assert.True(match.Success, $"unexpected grant line: {line}");
        return (match.Groups[1].Value, long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [RequiresEtcdctlFact]
    public Task Grant_attach_time_to_live_keep_alive_list_and_revoke() => RunAsync(async () =>
    {
        var (a, b) = (Key("a"), Key("b"));
        var (id, ttl) = await GrantAsync(60);
        Assert.Equal(60, ttl);
        Assert.Equal(["OK"], (await Etcdctl.SucceedsAsync($"put {a} 1 --lease={id}", Timeout)).Lines);
        Assert.Equal(["OK"], (await Etcdctl.SucceedsAsync($"put {b} 2 --lease={id}", Timeout)).Lines);

        var timeToLive = Assert.Single((await Etcdctl.SucceedsAsync($"lease timetolive {id} --keys", Timeout)).Lines);
        Assert.Matches($"^lease {id} granted with TTL\\(60s\\), remaining\\((5[5-9]|60)s\\), attached keys\\(\\[{Regex.Escape(a)} {Regex.Escape(b)}\\]\\)$", timeToLive);
        Assert.Equal([$"lease {id} keepalived with TTL(60)"], (await Etcdctl.SucceedsAsync($"lease keep-alive --once {id}", Timeout)).Lines);
        Assert.Contains(id, (await Etcdctl.SucceedsAsync("lease list", Timeout)).Lines);

        Assert.Equal([$"lease {id} revoked"], (await Etcdctl.SucceedsAsync($"lease revoke {id}", Timeout)).Lines);
        Assert.Empty((await Etcdctl.SucceedsAsync($"get {Prefix} --prefix", Timeout)).Lines);
        Assert.Equal([$"lease {id} already expired"], (await Etcdctl.SucceedsAsync($"lease timetolive {id}", Timeout)).Lines);
        Assert.DoesNotContain(id, (await Etcdctl.SucceedsAsync("lease list", Timeout)).Lines);
        (await Etcdctl.RunAsync(["lease", "revoke", id], Timeout)).FailedWith(1, "etcdserver: requested lease not found");
        (await Etcdctl.RunAsync(["put", Key("c"), "3", $"--lease={id}"], Timeout)).FailedWith(1, "etcdserver: requested lease not found");
    });

    [RequiresEtcdctlFact]
    public Task A_lease_not_kept_alive_expires_and_its_key_goes() => RunAsync(async () =>
    {
        var key = Key("expiring");
        var (id, ttl) = await GrantAsync(1);
        Assert.InRange(ttl, 1, 3);
        await Etcdctl.SucceedsAsync($"put {key} v --lease={id}", Timeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        while ((await Etcdctl.SucceedsAsync($"get {key}", Timeout)).Lines.Count != 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(ttl + 10), $"a {ttl} s lease still holds its key after {clock.Elapsed}");
            await Task.Delay(200, Timeout);
        }
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(ttl - 1), $"a {ttl} s lease expired after only {clock.Elapsed}");
        Assert.Equal([$"lease {id} already expired"], (await Etcdctl.SucceedsAsync($"lease timetolive {id}", Timeout)).Lines);
    });
}

[Collection(EtcdctlCollections.OneMember)]
public sealed class OneMemberEtcdctlLeaseTests(OneMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlLeaseTests(cluster, output);

[Collection(EtcdctlCollections.ThreeMembers)]
public sealed class ThreeMemberEtcdctlLeaseTests(ThreeMemberEtcdctlCluster cluster, ITestOutputHelper output) : EtcdctlLeaseTests(cluster, output);
