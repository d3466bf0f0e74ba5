using StateStore.Kv;

namespace StateStore.Raft;

/// <summary>
/// etcd's alarms and storage quota: raising and clearing an alarm is a log entry (every member refuses
/// writes while NOSPACE is up); the quota is checked on the member a write arrives at, before proposing,
/// against its own data size, as etcd's quota KV server does. Defragment is local to the member.
/// </summary>
public sealed partial class ReplicatedKvStore
{
    /// <summary>etcd's --quota-backend-bytes.</summary>
    public long QuotaBackendBytes { get; init; } = Quota.DefaultBytes;

    public async ValueTask<KvResult<AlarmResponse>> AlarmAsync(AlarmRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Action != AlarmAction.Get)
        {
            return await ProposeAsync<AlarmResponse>(request, cancellationToken).ConfigureAwait(false);
        }
        return await BarrierAsync(cancellationToken).ConfigureAwait(false) is { } unavailable
            ? unavailable
            : OnStore(store => store.Alarm(request));
    }

    public ValueTask<KvResult<DefragmentResponse>> DefragmentAsync(CancellationToken cancellationToken = default) =>
        new(OnStore(store => store.Defragment()));

    /// <summary>
    /// A write that adds data is refused while NOSPACE is raised, and raises it (for this member) when it
    /// would take this member's data past the quota. Deletes, compactions and revokes always pass.
    /// </summary>
    private async ValueTask<KvFailure?> CheckQuotaAsync(object request, CancellationToken cancellationToken)
    {
        var cost = Quota.CostOf(request);
        if (cost == 0)
        {
            return null;
        }
        var store = _machine.Store;
        if (store.NoSpace)
        {
            return KvFailure.Of(KvStatus.NoSpace);
        }
        if (store.DiskSizeBytes + cost <= QuotaBackendBytes)
        {
            return null;
        }
        var raised = await ProposeAsync<AlarmResponse>(new AlarmRequest(AlarmAction.Activate, _member.MemberId, AlarmType.NoSpace), cancellationToken).ConfigureAwait(false);
        return raised.IsOk ? KvFailure.Of(KvStatus.NoSpace) : new KvFailure(raised.Status, raised.Error ?? "");
    }
}
