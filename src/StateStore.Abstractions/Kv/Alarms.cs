namespace StateStore.Kv;

/// <summary>etcd's AlarmType.</summary>
public enum AlarmType
{
    None = 0,

    /// <summary>The member's data passed its storage quota: only reads and deletes are accepted until disarmed.</summary>
    NoSpace = 1,

    Corrupt = 2,
}

/// <summary>etcd's AlarmRequest.AlarmAction.</summary>
public enum AlarmAction
{
    Get = 0,
    Activate = 1,
    Deactivate = 2,
}

/// <summary>One raised alarm: which member, what alarm (etcd's AlarmMember).</summary>
public sealed record AlarmMember(ulong MemberId, AlarmType Alarm);

/// <summary>
/// etcd's AlarmRequest: get the alarms (of one type, or all with <see cref="AlarmType.None"/>), or raise or
/// clear one for a member.
/// </summary>
public sealed record AlarmRequest(AlarmAction Action, ulong MemberId = 0, AlarmType Alarm = AlarmType.None);

/// <summary>etcd's AlarmResponse: the alarms asked for, raised or cleared.</summary>
public sealed record AlarmResponse(long Revision, IReadOnlyList<AlarmMember> Alarms);

/// <summary>etcd's DefragmentResponse, with the store's size before and after.</summary>
public sealed record DefragmentResponse(long Revision, long SizeBefore, long SizeAfter);

/// <summary>etcd's storage quota.</summary>
public static class Quota
{
    /// <summary>etcd's default --quota-backend-bytes: 2 GiB.</summary>
    public const long DefaultBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// What a write adds toward the quota (etcd's quota cost: the request's keys and values, plus per-key
    /// overhead); 0 for a write that can only shrink the store.
    /// </summary>
    public static long CostOf(object request) => request switch
    {
        PutRequest put => put.Key.Length + put.Value.Length + 64,
        TxnRequest txn => txn.Success.Concat(txn.Failure).Sum(op => op.Put is { } put ? CostOf(put) : op.Txn is { } nested ? CostOf(nested) : 0),
        LeaseGrantRequest => 64,
        _ => 0,
    };

    /// <summary>The text etcd's Status lists for a raised alarm.</summary>
    public static string Describe(AlarmMember alarm) => $"memberID:{alarm.MemberId} alarm:{alarm.Alarm.ToString().ToUpperInvariant()} ";
}
