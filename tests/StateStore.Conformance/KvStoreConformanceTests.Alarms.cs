using StateStore.Kv;
using Xunit;
using static StateStore.Testing.KvAssert;

namespace StateStore.Testing;

/// <summary>
/// Alarms as etcd has them: while NOSPACE is raised only reads, deletes, compactions and revokes go
/// through; disarming lets writes in again. Defragmenting changes no answer.
/// </summary>
public abstract partial class KvStoreConformanceTests
{
    private async Task<AlarmResponse> AlarmAsync(AlarmAction action, ulong member = 0, AlarmType alarm = AlarmType.None) =>
        Ok(await Store.AlarmAsync(new AlarmRequest(action, member, alarm), Ct));

    [Fact]
    public async Task Alarm_NoSpace_LetsOnlyReadsDeletesAndRevokesThrough_UntilDisarmed()
    {
        await GrantLeasesAsync(4);
        await PutAsync("a", "1", lease: 4);   // 2
        await PutAsync("b", "1");             // 3

        var raised = await AlarmAsync(AlarmAction.Activate, member: 9, AlarmType.NoSpace);

        Assert.Equal([new AlarmMember(9, AlarmType.NoSpace)], raised.Alarms);
        Assert.Equal([new AlarmMember(9, AlarmType.NoSpace)], (await AlarmAsync(AlarmAction.Get)).Alarms);
        Fails(KvStatus.NoSpace, await Store.PutAsync(new PutRequest { Key = B("c"), Value = B("1") }, Ct));
        Fails(KvStatus.NoSpace, await Store.TxnAsync(new TxnRequest { Failure = [PutOp("c", "1")] }, Ct));
        Fails(KvStatus.NoSpace, await Store.LeaseGrantAsync(new LeaseGrantRequest { Ttl = 60 }, Ct));
        await AssertStatusAsync(revision: 3);
        Assert.True((await TxnAsync(new TxnRequest { Success = [GetOp("a")] })).Succeeded);
        Assert.Equal(4, (await DeleteAsync("b")).Revision);
        Assert.Equal(5, Ok(await Store.LeaseRevokeAsync(new LeaseRevokeRequest(4), Ct)).Revision);

        Assert.Equal([new AlarmMember(9, AlarmType.NoSpace)], (await AlarmAsync(AlarmAction.Deactivate, member: 9, AlarmType.NoSpace)).Alarms);
        Assert.Empty((await AlarmAsync(AlarmAction.Deactivate, member: 9, AlarmType.NoSpace)).Alarms);
        Assert.Empty((await AlarmAsync(AlarmAction.Get)).Alarms);
        Assert.Equal(6, (await PutAsync("c", "1")).Revision);
    }

    [Fact]
    public async Task Defragment_ChangesNoAnswer()
    {
        for (var i = 0; i < 50; i++)
        {
            await PutAsync($"k{i % 5}", $"v{i}");   // 2..51
        }
        await DeleteAsync("k0");                   // 52
        Ok(await Store.CompactAsync(new CompactRequest { Revision = 50 }, Ct));
        var before = await RangeAllAsync();
        var hash = Ok(await Store.HashKvAsync(0, Ct));

        var defragmented = Ok(await Store.DefragmentAsync(Ct));

        Assert.True(defragmented.SizeAfter <= defragmented.SizeBefore, $"defragment grew the store: {defragmented}");
        AssertKvs((await RangeAllAsync()).Kvs, [.. before.Kvs]);
        Assert.Equal(hash, Ok(await Store.HashKvAsync(0, Ct)));
        Assert.Equal(53, (await PutAsync("k9", "x")).Revision);
        AssertKv(await GetAsync("k1", revision: 51), "k1", "v46", create: 3, mod: 48, version: 10);
    }
}
