using Google.Protobuf;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi.Mapping;

/// <summary>The contract's responses → etcd's messages, every header filled from the member's identity.</summary>
internal static class KvResponses
{
    /// <summary>
    /// Wraps without copying: the contract never mutates a <see cref="KeyValue"/>'s arrays once handed out.
    /// </summary>
    public static ByteString Wrap(byte[] bytes) => bytes.Length == 0 ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(bytes);

    /// <summary>etcd's ResponseHeader: who answers (cluster, member, term) and at which revision.</summary>
    public static EtcdPb.ResponseHeader Header(this MemberIdentity identity, long revision) => new()
    {
        ClusterId = identity.ClusterId,
        MemberId = identity.MemberId,
        RaftTerm = (ulong)identity.RaftTerm,
        Revision = revision,
    };

    public static Mvccpb.KeyValue ToProto(this KeyValue kv) => new()
    {
        Key = Wrap(kv.Key),
        Value = Wrap(kv.Value),
        CreateRevision = kv.CreateRevision,
        ModRevision = kv.ModRevision,
        Version = kv.Version,
        Lease = kv.Lease,
    };

    public static EtcdPb.RangeResponse ToProto(this RangeResponse r, MemberIdentity identity)
    {
        var response = new EtcdPb.RangeResponse { Header = identity.Header(r.Revision), More = r.More, Count = r.Count };
        foreach (var kv in r.Kvs)
        {
            response.Kvs.Add(kv.ToProto());
        }
        return response;
    }

    public static EtcdPb.PutResponse ToProto(this PutResponse r, MemberIdentity identity) => new()
    {
        Header = identity.Header(r.Revision),
        PrevKv = r.PrevKv?.ToProto(),
    };

    public static EtcdPb.DeleteRangeResponse ToProto(this DeleteRangeResponse r, MemberIdentity identity)
    {
        var response = new EtcdPb.DeleteRangeResponse { Header = identity.Header(r.Revision), Deleted = r.Deleted };
        foreach (var kv in r.PrevKvs)
        {
            response.PrevKvs.Add(kv.ToProto());
        }
        return response;
    }

    public static EtcdPb.TxnResponse ToProto(this TxnResponse r, MemberIdentity identity)
    {
        var response = new EtcdPb.TxnResponse { Header = identity.Header(r.Revision), Succeeded = r.Succeeded };
        foreach (var op in r.Responses)
        {
            response.Responses.Add(op.ToProto(identity));
        }
        return response;
    }

    public static EtcdPb.ResponseOp ToProto(this ResponseOp op, MemberIdentity identity) => op switch
    {
        { Range: { } range } => new EtcdPb.ResponseOp { ResponseRange = range.ToProto(identity) },
        { Put: { } put } => new EtcdPb.ResponseOp { ResponsePut = put.ToProto(identity) },
        { DeleteRange: { } delete } => new EtcdPb.ResponseOp { ResponseDeleteRange = delete.ToProto(identity) },
        { Txn: { } txn } => new EtcdPb.ResponseOp { ResponseTxn = txn.ToProto(identity) },
        _ => ThrowHelper.Broken<EtcdPb.ResponseOp>("the store answered a txn operation with no response"),
    };

    public static EtcdPb.CompactionResponse ToProto(this CompactResponse r, MemberIdentity identity) => new()
    {
        Header = identity.Header(r.Revision),
    };
}
