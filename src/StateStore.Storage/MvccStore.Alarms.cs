using StateStore.Kv;

namespace StateStore.Storage;

public sealed partial class MvccStore
{
    private readonly SortedSet<(ulong Member, AlarmType Alarm)> _alarms = [];
    private volatile bool _noSpace;

    /// <summary>True while a NOSPACE alarm is raised: puts, txns with puts and lease grants answer NoSpace.</summary>
    public bool NoSpace => _noSpace;

    /// <summary>
    /// Applies an alarm request (etcd's alarm store): Get lists (one type, or all), Activate raises one for
    /// a member, Deactivate clears it. Changes no revision.
    /// </summary>
    public KvResult<AlarmResponse> Alarm(AlarmRequest request)
    {
        if (request.Action == AlarmAction.Get)
        {
            return KvResult<AlarmResponse>.Ok(UnderReadLock(() => new AlarmResponse(_revision, [.. _alarms
                .Where(a => request.Alarm == AlarmType.None || a.Alarm == request.Alarm)
                .Select(a => new AlarmMember(a.Member, a.Alarm))])));
        }
        if (request.Action is not (AlarmAction.Activate or AlarmAction.Deactivate) || request.Alarm is not (AlarmType.NoSpace or AlarmType.Corrupt))
        {
            return new KvFailure(KvStatus.InvalidArgument, $"etcdserver: cannot {request.Action} alarm {request.Alarm}");
        }
        return Write(_ =>
        {
            var alarm = (request.MemberId, request.Alarm);
            var changed = request.Action == AlarmAction.Activate ? _alarms.Add(alarm) : _alarms.Remove(alarm);
            _noSpace = _alarms.Any(a => a.Alarm == AlarmType.NoSpace);
            // As etcd: activating answers the alarm; deactivating answers it only when it was raised.
            AlarmMember[] answer = request.Action == AlarmAction.Activate || changed ? [new AlarmMember(request.MemberId, request.Alarm)] : [];
            return KvResult<AlarmResponse>.Ok(new AlarmResponse(_revision, answer));
        });
    }

    /// <summary>Every raised alarm, as etcd's Status lists them.</summary>
    public IReadOnlyList<string> AlarmDescriptions =>
        UnderReadLock(() => _alarms.Select(a => Quota.Describe(new AlarmMember(a.Member, a.Alarm))).ToList());

    /// <summary>
    /// Reclaims the space of compacted and deleted versions: FASTER's log compaction copies the live
    /// records of the immutable part of the log to its tail and moves its begin past the rest. Writes wait.
    /// </summary>
    public KvResult<DefragmentResponse> Defragment() => Write(_ =>
    {
        var before = _log.Size;
        _log.Compact();
        return KvResult<DefragmentResponse>.Ok(new DefragmentResponse(_revision, before, _log.Size));
    });

    private void RestoreAlarms(IEnumerable<(ulong Member, int Alarm)> alarms)
    {
        foreach (var (member, alarm) in alarms)
        {
            _alarms.Add((member, (AlarmType)alarm));
        }
        _noSpace = _alarms.Any(a => a.Alarm == AlarmType.NoSpace);
    }

    private List<(ulong Member, int Alarm)> AlarmSnapshot() => [.. _alarms.Select(a => (a.Member, (int)a.Alarm))];

    ValueTask<KvResult<AlarmResponse>> IKvStore.AlarmAsync(AlarmRequest request, CancellationToken cancellationToken) => new(Alarm(request));

    ValueTask<KvResult<DefragmentResponse>> IKvStore.DefragmentAsync(CancellationToken cancellationToken) => new(Defragment());
}
