using StateStore.Kv;

namespace StateStore.Testing.Model;

// Alarms: a set of (member, alarm). While a NOSPACE alarm is raised, puts, txns with puts and lease grants
// fail NoSpace. The model has no size, so it never raises one itself, and defragmenting changes nothing.
public sealed partial class ModelKvStore
{
    private readonly SortedSet<(ulong Member, AlarmType Alarm)> _alarms = [];

    private bool NoSpaceLocked => _alarms.Any(a => a.Alarm == AlarmType.NoSpace);

    public ValueTask<KvResult<AlarmResponse>> AlarmAsync(AlarmRequest request, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var alarm = (request.MemberId, request.Alarm);
            switch (request.Action)
            {
                case AlarmAction.Get:
                    return new(KvResult<AlarmResponse>.Ok(new AlarmResponse(_revision, [.. _alarms
                        .Where(a => request.Alarm == AlarmType.None || a.Alarm == request.Alarm)
                        .Select(a => new AlarmMember(a.Member, a.Alarm))])));
                case AlarmAction.Activate when request.Alarm != AlarmType.None:
                    _alarms.Add(alarm);
                    return new(KvResult<AlarmResponse>.Ok(new AlarmResponse(_revision, [new AlarmMember(request.MemberId, request.Alarm)])));
                case AlarmAction.Deactivate when request.Alarm != AlarmType.None:
                    AlarmMember[] cleared = _alarms.Remove(alarm) ? [new AlarmMember(request.MemberId, request.Alarm)] : [];
                    return new(KvResult<AlarmResponse>.Ok(new AlarmResponse(_revision, cleared)));
                default:
                    return new(Fail(KvStatus.InvalidArgument));
            }
        }
    }

    public ValueTask<KvResult<DefragmentResponse>> DefragmentAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return new(KvResult<DefragmentResponse>.Ok(new DefragmentResponse(_revision, 0, 0)));
        }
    }
}
