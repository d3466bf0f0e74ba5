using Google.Protobuf;
using StateStore.Kv;
using EtcdPb = Etcdserverpb;

namespace StateStore.EtcdApi.Mapping;

/// <summary>
/// etcd's request messages → the contract's requests. Every field is carried over; enum values etcd
/// does not define, and a txn operation with nothing set, are malformed and answer InvalidArgument
/// before anything reaches the store.
/// </summary>
internal static class KvRequests
{
    /// <summary>A protobuf byte string as an array (the empty array for none).</summary>
    public static byte[] ToBytes(this ByteString bytes) => bytes.IsEmpty ? Bytes.Empty : bytes.ToByteArray();

    /// <summary>etcd's range_end: empty means "the key alone", which the contract spells null.</summary>
    public static byte[]? ToRangeEnd(this ByteString rangeEnd) => rangeEnd.IsEmpty ? null : rangeEnd.ToByteArray();

    public static RangeRequest ToContract(this EtcdPb.RangeRequest r) => new()
    {
        Key = r.Key.ToBytes(),
        RangeEnd = r.RangeEnd.ToRangeEnd(),
        Limit = r.Limit,
        Revision = r.Revision,
        SortOrder = Defined((SortOrder)(int)r.SortOrder, "sort order"),
        SortTarget = Defined((SortTarget)(int)r.SortTarget, "sort target"),
        Serializable = r.Serializable,
        KeysOnly = r.KeysOnly,
        CountOnly = r.CountOnly,
        MinModRevision = r.MinModRevision,
        MaxModRevision = r.MaxModRevision,
        MinCreateRevision = r.MinCreateRevision,
        MaxCreateRevision = r.MaxCreateRevision,
    };

    public static PutRequest ToContract(this EtcdPb.PutRequest r) => new()
    {
        Key = r.Key.ToBytes(),
        Value = r.Value.ToBytes(),
        Lease = r.Lease,
        PrevKv = r.PrevKv,
        IgnoreValue = r.IgnoreValue,
        IgnoreLease = r.IgnoreLease,
    };

    public static DeleteRangeRequest ToContract(this EtcdPb.DeleteRangeRequest r) => new()
    {
        Key = r.Key.ToBytes(),
        RangeEnd = r.RangeEnd.ToRangeEnd(),
        PrevKv = r.PrevKv,
    };

    public static TxnRequest ToContract(this EtcdPb.TxnRequest r) => new()
    {
        Compare = r.Compare.Select(ToContract).ToList(),
        Success = r.Success.Select(ToContract).ToList(),
        Failure = r.Failure.Select(ToContract).ToList(),
    };

    public static CompactRequest ToContract(this EtcdPb.CompactionRequest r) => new()
    {
        Revision = r.Revision,
        Physical = r.Physical,
    };

    /// <summary>
    /// etcd's Compare: the operand is read from target_union by the target, as etcd's applyCompare does with
    /// its getters (an operand set for another target reads as zero / empty).
    /// </summary>
    public static Compare ToContract(this EtcdPb.Compare c)
    {
        var target = Defined((CompareTarget)(int)c.Target, "compare target");
        return new Compare
        {
            Key = c.Key.ToBytes(),
            RangeEnd = c.RangeEnd.ToRangeEnd(),
            Target = target,
            Result = Defined((CompareResult)(int)c.Result, "compare result"),
            Number = target switch
            {
                CompareTarget.Version => c.Version,
                CompareTarget.Create => c.CreateRevision,
                CompareTarget.Mod => c.ModRevision,
                CompareTarget.Lease => c.Lease,
                _ => 0,
            },
            Value = target == CompareTarget.Value ? c.Value.ToBytes() : Bytes.Empty,
        };
    }

    public static RequestOp ToContract(this EtcdPb.RequestOp op) => op.RequestCase switch
    {
        EtcdPb.RequestOp.RequestOneofCase.RequestRange => RequestOp.Of(op.RequestRange.ToContract()),
        EtcdPb.RequestOp.RequestOneofCase.RequestPut => RequestOp.Of(op.RequestPut.ToContract()),
        EtcdPb.RequestOp.RequestOneofCase.RequestDeleteRange => RequestOp.Of(op.RequestDeleteRange.ToContract()),
        EtcdPb.RequestOp.RequestOneofCase.RequestTxn => RequestOp.Of(op.RequestTxn.ToContract()),
        // etcd's checkRequestOp answers an empty operation with ErrGRPCKeyNotFound.
        _ => throw Errors.ToRpc(KvStatus.KeyNotFound),
    };

    private static T Defined<T>(T value, string what) where T : struct, Enum =>
        Enum.IsDefined(value) ? value : Errors.Invalid<T>($"etcdserver: unknown {what} {Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)}");
}
