using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using StateStore.EtcdApi.Mapping;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

/// <summary>
/// etcd's Lease service (<c>etcdserverpb.Lease</c>): grant, revoke, the keep-alive stream, time-to-live
/// and the list of leases, over the store's leases. As etcd: a keep-alive or time-to-live of a lease that
/// does not exist is an answer (TTL 0, TTL -1), not an error; revoking one is "requested lease not found".
/// </summary>
[BindServiceMethod(typeof(ServiceBinding), nameof(ServiceBinding.BindLease))]
internal class LeaseService(IKvStore store)
{
    public virtual async Task<EtcdPb.LeaseGrantResponse> LeaseGrant(EtcdPb.LeaseGrantRequest request, ServerCallContext context)
    {
        var granted = (await store.LeaseGrantAsync(new LeaseGrantRequest { Id = request.ID, Ttl = request.TTL }, context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        return new EtcdPb.LeaseGrantResponse { Header = store.Identity.Header(granted.Revision), ID = granted.Id, TTL = granted.Ttl };
    }

    public virtual async Task<EtcdPb.LeaseRevokeResponse> LeaseRevoke(EtcdPb.LeaseRevokeRequest request, ServerCallContext context)
    {
        var revoked = (await store.LeaseRevokeAsync(new LeaseRevokeRequest(request.ID), context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        return new EtcdPb.LeaseRevokeResponse { Header = store.Identity.Header(revoked.Revision) };
    }

    public virtual async Task LeaseKeepAlive(
        IAsyncStreamReader<EtcdPb.LeaseKeepAliveRequest> requests,
        IServerStreamWriter<EtcdPb.LeaseKeepAliveResponse> responses,
        ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var renewed = (await store.LeaseKeepAliveAsync(requests.Current.ID, context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
            await responses.WriteAsync(new EtcdPb.LeaseKeepAliveResponse
            {
                Header = store.Identity.Header(renewed.Revision),
                ID = renewed.Id,
                TTL = renewed.Ttl,
            }, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public virtual async Task<EtcdPb.LeaseTimeToLiveResponse> LeaseTimeToLive(EtcdPb.LeaseTimeToLiveRequest request, ServerCallContext context)
    {
        var answer = (await store.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest(request.ID, request.Keys), context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        var response = new EtcdPb.LeaseTimeToLiveResponse
        {
            Header = store.Identity.Header(answer.Revision),
            ID = answer.Id,
            TTL = answer.Ttl,
            GrantedTTL = answer.GrantedTtl,
        };
        response.Keys.AddRange(answer.Keys.Select(ByteString.CopyFrom));
        return response;
    }

    public virtual async Task<EtcdPb.LeaseLeasesResponse> LeaseLeases(EtcdPb.LeaseLeasesRequest request, ServerCallContext context)
    {
        var leases = (await store.LeaseLeasesAsync(context.CancellationToken).ConfigureAwait(false)).ValueOrThrow();
        var response = new EtcdPb.LeaseLeasesResponse { Header = store.Identity.Header(leases.Revision) };
        response.Leases.AddRange(leases.Ids.Select(id => new EtcdPb.LeaseStatus { ID = id }));
        return response;
    }
}
