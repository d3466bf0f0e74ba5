using Etcdserverpb;

namespace StateStore.EtcdApi.Tests;

/// <summary>Maintenance.Status and HashKV report what the store says, in etcd's fields.</summary>
public sealed class MaintenanceServiceTests : EtcdApiTestBase
{
    [Fact]
    public async Task Status_reports_version_size_and_the_members_raft_view()
    {
        await PutAsync("a", "1");
        await PutAsync("b", "2");
        var status = await Host.Maintenance.StatusAsync(new StatusRequest(), cancellationToken: Timeout);
        var store = await Store.StatusAsync(Timeout);

        AssertHeader(status.Header, 3);
        Assert.Equal("3.5.0", status.Version);
        Assert.Equal(store.DbSizeBytes, status.DbSize);
        Assert.Equal(store.LeaderId, status.Leader);
        Assert.Equal(Store.Identity.MemberId, status.Leader);
        Assert.Equal((ulong)store.RaftIndex, status.RaftIndex);
        Assert.Equal(13UL, status.RaftIndex);
        Assert.Equal(12UL, status.RaftAppliedIndex);
        Assert.Equal(7UL, status.RaftTerm);
        Assert.Equal(["test: member reports an error"], status.Errors);
    }

    [Fact]
    public async Task HashKV_reports_the_stores_hash_with_the_compaction_point()
    {
        await PutAsync("a", "1");
        await PutAsync("a", "2");
        await PutAsync("b", "3");
        await Host.Kv.CompactAsync(new CompactionRequest { Revision = 3 }, cancellationToken: Timeout);

        var current = await Host.Maintenance.HashKVAsync(new HashKVRequest(), cancellationToken: Timeout);
        var expected = (await Store.HashKvAsync(0, Timeout)).Value;
        AssertHeader(current.Header, 4);
        Assert.Equal(expected.Hash, current.Hash);
        Assert.Equal((3L, 4L), (current.CompactRevision, current.HashRevision));

        var past = await Host.Maintenance.HashKVAsync(new HashKVRequest { Revision = 3 }, cancellationToken: Timeout);
        AssertHeader(past.Header, 4);
        Assert.Equal(3, past.HashRevision);
        Assert.Equal((await Store.HashKvAsync(3, Timeout)).Value.Hash, past.Hash);
        Assert.NotEqual(current.Hash, past.Hash);
    }

    [Fact]
    public async Task Methods_not_served_yet_answer_unimplemented()
    {
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(
            () => Host.Maintenance.MoveLeaderAsync(new MoveLeaderRequest { TargetID = 1 }, cancellationToken: Timeout).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task Alarms_are_raised_listed_and_disarmed_and_defragment_answers()
    {
        var raised = await Host.Maintenance.AlarmAsync(new AlarmRequest
        {
            Action = AlarmRequest.Types.AlarmAction.Activate, MemberID = 42, Alarm = AlarmType.Nospace,
        }, cancellationToken: Timeout);
        var listed = await Host.Maintenance.AlarmAsync(new AlarmRequest(), cancellationToken: Timeout);
        await AssertFailsAsync(Grpc.Core.StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded", () => PutAsync("k", "v"));
        var disarmed = await Host.Maintenance.AlarmAsync(new AlarmRequest
        {
            Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = 42, Alarm = AlarmType.Nospace,
        }, cancellationToken: Timeout);
        var defragmented = await Host.Maintenance.DefragmentAsync(new DefragmentRequest(), cancellationToken: Timeout);

        Assert.Equal((42UL, AlarmType.Nospace), (Assert.Single(raised.Alarms).MemberID, raised.Alarms[0].Alarm));
        Assert.Equal((42UL, AlarmType.Nospace), (Assert.Single(listed.Alarms).MemberID, listed.Alarms[0].Alarm));
        Assert.Single(disarmed.Alarms);
        Assert.Empty((await Host.Maintenance.AlarmAsync(new AlarmRequest(), cancellationToken: Timeout)).Alarms);
        AssertHeader(defragmented.Header, 1);
        Assert.Equal(2, (await PutAsync("k", "v")).Header.Revision);
    }
}
