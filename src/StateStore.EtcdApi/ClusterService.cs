using Grpc.AspNetCore.Server;
using Grpc.Core;
using StateStore.EtcdApi.Mapping;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

/// <summary>
/// etcd's Cluster service (<c>etcdserverpb.Cluster</c>): MemberList, MemberAdd and MemberRemove over the
/// store's membership. MemberUpdate and MemberPromote (learners) answer "not capable": a member's peer
/// endpoint is its identity in the Raft layer, and there are no learners.
/// </summary>
[BindServiceMethod(typeof(ServiceBinding), nameof(ServiceBinding.BindCluster))]
internal class ClusterService(IKvStore store)
{
    public virtual async Task<EtcdPb.MemberListResponse> MemberList(EtcdPb.MemberListRequest request, ServerCallContext context)
    {
        var list = (await store.MemberListAsync(context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        var response = new EtcdPb.MemberListResponse { Header = await HeaderAsync(context).ConfigureAwait(false) };
        response.Members.AddRange(list.Members.Select(ToProto));
        return response;
    }

    public virtual async Task<EtcdPb.MemberAddResponse> MemberAdd(EtcdPb.MemberAddRequest request, ServerCallContext context)
    {
        if (request.IsLearner)
        {
            Errors.Throw(KvStatus.NotCapable);
        }
        var added = (await store.MemberAddAsync(new MemberAddRequest([.. request.PeerURLs]), context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        var response = new EtcdPb.MemberAddResponse { Header = await HeaderAsync(context).ConfigureAwait(false), Member = ToProto(added.Member) };
        response.Members.AddRange(added.Members.Select(ToProto));
        return response;
    }

    public virtual async Task<EtcdPb.MemberRemoveResponse> MemberRemove(EtcdPb.MemberRemoveRequest request, ServerCallContext context)
    {
        var list = (await store.MemberRemoveAsync(new MemberRemoveRequest(request.ID), context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        var response = new EtcdPb.MemberRemoveResponse { Header = await HeaderAsync(context).ConfigureAwait(false) };
        response.Members.AddRange(list.Members.Select(ToProto));
        return response;
    }

    public virtual Task<EtcdPb.MemberUpdateResponse> MemberUpdate(EtcdPb.MemberUpdateRequest request, ServerCallContext context) =>
        throw Errors.ToRpc(KvStatus.NotCapable);

    public virtual Task<EtcdPb.MemberPromoteResponse> MemberPromote(EtcdPb.MemberPromoteRequest request, ServerCallContext context) =>
        throw Errors.ToRpc(KvStatus.NotCapable);

    private async Task<EtcdPb.ResponseHeader> HeaderAsync(ServerCallContext context) =>
        store.Identity.Header(await store.CurrentRevisionAsync(context.CancellationToken).ConfigureAwait(false));

    private static EtcdPb.Member ToProto(ClusterMember member)
    {
        var proto = new EtcdPb.Member { ID = member.Id, Name = member.Name };
        proto.PeerURLs.AddRange(member.PeerUrls);
        proto.ClientURLs.AddRange(member.ClientUrls);
        return proto;
    }
}
