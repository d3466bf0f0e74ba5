using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StateStore.EtcdApi.Mapping;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

/// <summary>
/// etcd's Maintenance service (<c>etcdserverpb.Maintenance</c>): Status, HashKV, Alarm and Defragment. The
/// other methods (snapshot, move leader, downgrade) answer Unimplemented for now.
/// </summary>
[BindServiceMethod(typeof(ServiceBinding), nameof(ServiceBinding.BindMaintenance))]
internal class MaintenanceService(IKvStore store, IOptions<EtcdApiOptions> options)
{
    public virtual async Task<EtcdPb.StatusResponse> Status(EtcdPb.StatusRequest request, ServerCallContext context)
    {
        var status = await store.StatusAsync(context.CancellationToken).ConfigureAwait(false);
        var response = new EtcdPb.StatusResponse
        {
            Header = store.Identity.Header(status.Revision),
            Version = options.Value.Version,
            DbSize = status.DbSizeBytes,
            DbSizeInUse = status.DbSizeBytes,
            Leader = status.LeaderId,
            RaftIndex = (ulong)status.RaftIndex,
            RaftTerm = (ulong)status.RaftTerm,
            RaftAppliedIndex = (ulong)status.RaftAppliedIndex,
        };
        response.Errors.AddRange(status.Errors);
        return response;
    }

    public virtual async Task<EtcdPb.AlarmResponse> Alarm(EtcdPb.AlarmRequest request, ServerCallContext context)
    {
        var alarms = (await store.AlarmAsync(
            new AlarmRequest((AlarmAction)request.Action, request.MemberID, (AlarmType)request.Alarm), context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        var response = new EtcdPb.AlarmResponse { Header = store.Identity.Header(alarms.Revision) };
        response.Alarms.AddRange(alarms.Alarms.Select(a => new EtcdPb.AlarmMember { MemberID = a.MemberId, Alarm = (EtcdPb.AlarmType)a.Alarm }));
        return response;
    }

    public virtual async Task<EtcdPb.DefragmentResponse> Defragment(EtcdPb.DefragmentRequest request, ServerCallContext context)
    {
        var done = (await store.DefragmentAsync(context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        return new EtcdPb.DefragmentResponse { Header = store.Identity.Header(done.Revision) };
    }

    /// <summary>
    /// The hash of every version at or below the asked revision. As etcd: hash_revision is the revision
    /// hashed and the header carries the current one.
    /// </summary>
    public virtual async Task<EtcdPb.HashKVResponse> HashKV(EtcdPb.HashKVRequest request, ServerCallContext context)
    {
        var hash = (await store.HashKvAsync(request.Revision, context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        var current = await store.CurrentRevisionAsync(context.CancellationToken).ConfigureAwait(false);
        return new EtcdPb.HashKVResponse
        {
            Header = store.Identity.Header(Math.Max(current, hash.Revision)),
            Hash = hash.Hash,
            CompactRevision = hash.CompactRevision,
            HashRevision = hash.Revision,
        };
    }
}
