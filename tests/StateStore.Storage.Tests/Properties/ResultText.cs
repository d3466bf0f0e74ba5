using System.Text;
using StateStore.Kv;

namespace StateStore.Storage.Tests.Properties;

/// <summary>
/// Renders answers as canonical text holding every field, so that equal text means equal answers
/// (bytes are escaped unambiguously) and a mismatch prints as a readable diff.
/// </summary>
public static class ResultText
{
    public static string Of<T>(KvResult<T> result, Func<T, string> ok) => result.IsOk ? ok(result.Value) : $"failed {result.Status}";

    public static string Of(KvResult<RangeResponse> result) => Of(result, Range);

    public static string Of(KvResult<PutResponse> result) => Of(result, Put);

    public static string Of(KvResult<DeleteRangeResponse> result) => Of(result, Delete);

    public static string Of(KvResult<TxnResponse> result) => Of(result, Txn);

    public static string Of(KvResult<CompactResponse> result) => Of(result, r => $"compacted at revision {r.Revision}");

    /// <summary>The hash itself is left out: the model's is not the store's.</summary>
    public static string Of(KvResult<HashKvResponse> result) => Of(result, r => $"hash at revision {r.Revision}, compacted {r.CompactRevision}");

    public static string Of(KvResult<LeaseGrantResponse> result) => Of(result, r => $"lease {r.Id} granted for {r.Ttl} s at revision {r.Revision}");

    public static string Of(KvResult<LeaseRevokeResponse> result) => Of(result, r => $"lease revoked at revision {r.Revision}");

    public static string Of(KvResult<LeaseLeasesResponse> result) => Of(result, r => $"leases [{string.Join(", ", r.Ids)}] at revision {r.Revision}");

    public static string Range(RangeResponse r) => $"range rev {r.Revision} count {r.Count} more {r.More} [{string.Join(", ", r.Kvs.Select(Kv))}]";

    public static string Put(PutResponse r) => $"put rev {r.Revision} prev {(r.PrevKv is null ? "-" : Kv(r.PrevKv))}";

    public static string Delete(DeleteRangeResponse r) => $"delete rev {r.Revision} deleted {r.Deleted} prev [{string.Join(", ", r.PrevKvs.Select(Kv))}]";

    public static string Txn(TxnResponse r) =>
        $"txn rev {r.Revision} {(r.Succeeded ? "then" : "else")} [{string.Join("; ", r.Responses.Select(Op))}]";

    private static string Op(ResponseOp op) =>
        op.Range is { } range ? Range(range)
        : op.Put is { } put ? Put(put)
        : op.DeleteRange is { } delete ? Delete(delete)
        : op.Txn is { } txn ? Txn(txn)
        : "empty response op";

    public static string Event(WatchEvent e) => $"{e.Type} {Kv(e.Kv)} prev {(e.PrevKv is null ? "-" : Kv(e.PrevKv))}";

    public static string Kv(KeyValue kv) =>
        $"{Bytes(kv.Key)}={Bytes(kv.Value)} (create {kv.CreateRevision}, mod {kv.ModRevision}, v{kv.Version}, lease {kv.Lease})";

    /// <summary>Printable ASCII as is, everything else (and backslash, quote) as \xNN; long values as length and hash.</summary>
    public static string Bytes(byte[] bytes)
    {
        if (bytes.Length > 64)
        {
            var hash = 2166136261u;
            foreach (var b in bytes)
            {
                hash = (hash ^ b) * 16777619u;
            }
            return $"<{bytes.Length} bytes, fnv {hash:x8}>";
        }
        var text = new StringBuilder("\"");
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }
        return text.Append('"').ToString();
    }
}
