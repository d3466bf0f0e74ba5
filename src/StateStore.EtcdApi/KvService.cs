using Grpc.AspNetCore.Server;
using Grpc.Core;
using StateStore.EtcdApi.Mapping;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi;

/// <summary>
/// etcd's KV service (<c>etcdserverpb.KV</c>) over <see cref="IKvStore"/>: each request is mapped to the
/// contract, answered by the store, and mapped back with a full response header; failures answer with
/// etcd's status code and message (<see cref="Errors"/>).
/// </summary>
/// <remarks>Handlers are public virtual and named as the gRPC methods: Grpc.AspNetCore binds them by name.</remarks>
[BindServiceMethod(typeof(ServiceBinding), nameof(ServiceBinding.BindKv))]
internal class KvService(IKvStore store)
{
    public virtual Task<EtcdPb.RangeResponse> Range(EtcdPb.RangeRequest request, ServerCallContext context) =>
        AnswerAsync(store.RangeAsync(request.ToContract(), context.CancellationToken), KvResponses.ToProto);

    public virtual Task<EtcdPb.PutResponse> Put(EtcdPb.PutRequest request, ServerCallContext context) =>
        AnswerAsync(store.PutAsync(request.ToContract(), context.CancellationToken), KvResponses.ToProto);

    public virtual Task<EtcdPb.DeleteRangeResponse> DeleteRange(EtcdPb.DeleteRangeRequest request, ServerCallContext context) =>
        AnswerAsync(store.DeleteRangeAsync(request.ToContract(), context.CancellationToken), KvResponses.ToProto);

    public virtual Task<EtcdPb.TxnResponse> Txn(EtcdPb.TxnRequest request, ServerCallContext context) =>
        AnswerAsync(store.TxnAsync(request.ToContract(), context.CancellationToken), KvResponses.ToProto);

    public virtual Task<EtcdPb.CompactionResponse> Compact(EtcdPb.CompactionRequest request, ServerCallContext context) =>
        AnswerAsync(store.CompactAsync(request.ToContract(), context.CancellationToken), KvResponses.ToProto);

    /// <summary>The store's answer in etcd's message, or etcd's error for a failure.</summary>
    private async Task<TMessage> AnswerAsync<TResult, TMessage>(ValueTask<KvResult<TResult>> call, Func<TResult, MemberIdentity, TMessage> toProto)
    {
        var result = await call.ConfigureAwait(false);
        return toProto(result.ValueOrThrow(), store.Identity);
    }
}
