using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.Integration.Tests.Harness;

namespace StateStore.Integration.Tests;

/// <summary>
/// etcd's storage quota on a real member: past --quota-backend-bytes the NOSPACE alarm is raised and only
/// reads and deletes pass; compact, defragment and disarm (what an operator does) let writes in again.
/// </summary>
public sealed class QuotaTests(ITestOutputHelper output) : ProcessTest(output, TimeSpan.FromSeconds(90))
{
    private const long QuotaBytes = 512 * 1024;

    [Fact]
    public Task Past_the_quota_NOSPACE_is_raised_then_compact_defragment_and_disarm_restore_writes() => RunAsync(async () =>
    {
        var member = await StartSmallQuotaMemberAsync();
        var (accepted, refused) = await FillUntilRefusedAsync(member);
        Output.WriteLine($"{accepted} puts of 4 KiB accepted before the quota refused one");
        Assert.Equal((StatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded"), (refused.StatusCode, refused.Status.Detail));
        Assert.InRange(accepted, 32, (int)(QuotaBytes / 4096) + 1);

        var status = await member.Maintenance.StatusAsync(new StatusRequest(), cancellationToken: Timeout);
        var alarms = await member.Maintenance.AlarmAsync(new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get }, cancellationToken: Timeout);
        var alarm = Assert.Single(alarms.Alarms);
        Assert.Equal((status.Header.MemberId, AlarmType.Nospace), (alarm.MemberID, alarm.Alarm));
        Assert.Contains($"memberID:{status.Header.MemberId} alarm:NOSPACE ", status.Errors);
        // Reads and deletes still pass; small writes do not.
        Assert.Equal(8, (await member.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8("k"), RangeEnd = ByteString.CopyFromUtf8("l"), CountOnly = true }, cancellationToken: Timeout)).Count);
        await Assert.ThrowsAsync<RpcException>(async () => await member.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("small"), Value = ByteString.CopyFromUtf8("1") }, cancellationToken: Timeout));
        var deleted = await member.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("k"), RangeEnd = ByteString.CopyFromUtf8("l") }, cancellationToken: Timeout);
        Assert.Equal(8, deleted.Deleted);

        // The operator's way out: compact, defragment, disarm.
        await member.Kv.CompactAsync(new CompactionRequest { Revision = deleted.Header.Revision, Physical = true }, cancellationToken: Timeout);
        await member.Maintenance.DefragmentAsync(new DefragmentRequest(), cancellationToken: Timeout);
        var shrunk = await member.Maintenance.StatusAsync(new StatusRequest(), cancellationToken: Timeout);
        Output.WriteLine($"db size {status.DbSize} before, {shrunk.DbSize} after compaction and defragment");
        Assert.True(shrunk.DbSize < QuotaBytes / 2, $"defragment left {shrunk.DbSize} bytes of a {QuotaBytes} byte quota");
        var disarmed = await member.Maintenance.AlarmAsync(new AlarmRequest
        {
            Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = alarm.MemberID, Alarm = AlarmType.Nospace,
        }, cancellationToken: Timeout);
        Assert.Single(disarmed.Alarms);

        var put = await member.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("after"), Value = Value }, cancellationToken: Timeout);
        Assert.Equal(deleted.Header.Revision + 1, put.Header.Revision);
        Assert.Empty((await member.Maintenance.StatusAsync(new StatusRequest(), cancellationToken: Timeout)).Errors);
    });

    [RequiresEtcdctlFact]
    public Task Etcdctl_alarm_list_shows_NOSPACE_and_compaction_defrag_and_alarm_disarm_clear_it() => RunAsync(async () =>
    {
        var member = await StartSmallQuotaMemberAsync();
        await FillUntilRefusedAsync(member);
        var etcdctl = new Etcdctl([member.Config.ClientUrl]);
        var id = (await member.Maintenance.StatusAsync(new StatusRequest(), cancellationToken: Timeout)).Header.MemberId;
        string[] raised = [$"memberID:{id} alarm:NOSPACE"];

        Assert.Equal(raised, (await etcdctl.SucceedsAsync("alarm list", Timeout)).Lines.Select(l => l.TrimEnd()));
        (await etcdctl.RunAsync(["put", "small", "1"], Timeout)).FailedWith(1, "etcdserver: mvcc: database space exceeded");
        var deleted = await etcdctl.SucceedsAsync("del k --prefix -w json", Timeout);
        var revision = deleted.Json.Revision();
        Assert.Equal([$"compacted revision {revision}"], (await etcdctl.SucceedsAsync($"compaction {revision} --physical", Timeout)).Lines);
        Assert.Equal([$"Finished defragmenting etcd member[{member.Config.ClientUrl}]"], (await etcdctl.SucceedsAsync("defrag", Timeout)).Lines);
        Assert.Equal(raised, (await etcdctl.SucceedsAsync("alarm disarm", Timeout)).Lines.Select(l => l.TrimEnd()));

        Assert.Empty((await etcdctl.SucceedsAsync("alarm list", Timeout)).Lines);
        Assert.Equal(["OK"], (await etcdctl.SucceedsAsync("put small 1", Timeout)).Lines);
    });

    private static readonly ByteString Value = ByteString.CopyFrom(new byte[4096]);

    private async Task<ServerProcess> StartSmallQuotaMemberAsync()
    {
        var cluster = await StartClusterAsync(new ClusterOptions { Size = 1, ExtraFlags = ["--quota-backend-bytes", QuotaBytes.ToString()] });
        return cluster.Members[0];
    }

    /// <summary>Puts 4 KiB values over eight keys until the quota refuses one.</summary>
    private async Task<(int Accepted, RpcException Refused)> FillUntilRefusedAsync(ServerProcess member)
    {
        for (var accepted = 0; ; accepted++)
        {
            Assert.True(accepted < 10_000, $"{accepted} puts of 4 KiB passed a {QuotaBytes} byte quota");
            try
            {
                await member.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"k{accepted % 8}"), Value = Value }, cancellationToken: Timeout);
            }
            catch (RpcException e)
            {
                return (accepted, e);
            }
        }
    }
}
