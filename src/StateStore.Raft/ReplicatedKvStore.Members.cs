using System.Collections.Concurrent;
using System.Net;
using DotNext.Net.Cluster.Consensus.Raft;
using StateStore.Kv;
using StateStore.Raft.Commands;
using StateStore.Raft.Forwarding;

namespace StateStore.Raft;

public sealed partial class ReplicatedKvStore
{
    /// <summary>
    /// Members added (etcd's MemberAdd) that have not started yet; the leader joins each as soon as it answers,
    /// until the join is cancelled (MemberRemove of the pending member) or this member stops.
    /// </summary>
    private readonly ConcurrentDictionary<EndPoint, CancellationTokenSource> _pendingAdds = new();
    private readonly CancellationTokenSource _lifetime = new();

    /// <summary>
    /// The members as the leader knows them: only the leader knows the members added but not started yet, so a
    /// follower asks it, and answers from its own view when no leader answers in time (etcd lists members
    /// without a leader too).
    /// </summary>
    public async ValueTask<KvResult<MemberListResponse>> MemberListAsync(CancellationToken cancellationToken = default)
    {
        if (_cluster.Leader is { IsRemote: true })
        {
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quick.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                var asked = await OnLeaderAsync(new PendingMembersQuery(), () => LocalMemberListAsync(quick.Token), quick.Token).ConfigureAwait(false);
                if (asked.IsOk)
                {
                    return asked;
                }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or DotNext.Net.Cluster.MemberUnavailableException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The leader's metadata (its client URL) could not be read, as right after an election.
            }
        }
        return await LocalMemberListAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<KvResult<MemberListResponse>> LocalMemberListAsync(CancellationToken cancellationToken)
    {
        var members = new List<ClusterMember>();
        foreach (var member in _cluster.Members)
        {
            members.Add(await DescribeAsync(member, cancellationToken).ConfigureAwait(false));
        }
        foreach (var pending in _pendingAdds.Keys.Where(p => members.All(m => m.Id != MemberInfo.IdOf(p))))
        {
            members.Add(new ClusterMember(MemberInfo.IdOf(pending), "", [Endpoints.ToUrl(pending)], []));
        }
        return KvResult<MemberListResponse>.Ok(new MemberListResponse([.. members.OrderBy(m => m.Id)]));
    }

    public async ValueTask<KvResult<MemberAddResponse>> MemberAddAsync(MemberAddRequest request, CancellationToken cancellationToken = default)
    {
        if (request.PeerUrls is not [var url])
        {
            return new KvFailure(KvStatus.InvalidArgument, "etcdserver: exactly one peer URL is supported per member");
        }
        IPEndPoint peer;
        try
        {
            peer = Endpoints.Parse(Endpoints.ParseUrl(url));
        }
        catch (FormatException e)
        {
            return new KvFailure(KvStatus.InvalidArgument, $"etcdserver: bad peer URL: {e.Message}");
        }
        return await OnLeaderAsync(request, () => AddOnLeaderAsync(peer, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<KvResult<MemberListResponse>> MemberRemoveAsync(MemberRemoveRequest request, CancellationToken cancellationToken = default) =>
        OnLeaderAsync(request, () => RemoveOnLeaderAsync(request.Id, cancellationToken), cancellationToken);

    private async ValueTask<KvResult<MemberAddResponse>> AddOnLeaderAsync(IPEndPoint peer, CancellationToken cancellationToken)
    {
        var join = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        if (_cluster.Members.Any(m => m.EndPoint.Equals(peer)) || !_pendingAdds.TryAdd(peer, join))
        {
            join.Dispose();
            return KvFailure.Of(KvStatus.PeerUrlExists);
        }
        _ = Task.Run(() => JoinWhenReachableAsync(peer, join));
        var list = await LocalMemberListAsync(cancellationToken).ConfigureAwait(false);
        return KvResult<MemberAddResponse>.Ok(new MemberAddResponse(
            new ClusterMember(MemberInfo.IdOf(peer), "", [Endpoints.ToUrl(peer)], []), list.Value.Members));
    }

    /// <summary>
    /// DotNext adds a member by catching it up first, so the member must be running; etcd's order is
    /// add, then start. The leader keeps trying until the new member answers (or leadership moves).
    /// </summary>
    private async Task JoinWhenReachableAsync(IPEndPoint peer, CancellationTokenSource join)
    {
        try
        {
            await SnapshotForNewMemberAsync(peer, join.Token).ConfigureAwait(false);
            while (!join.IsCancellationRequested)
            {
                try
                {
                    if (await _cluster.AddMemberAsync(peer, join.Token).ConfigureAwait(false))
                    {
                        Log.MemberJoined(_logger, peer.ToString());
                        return;
                    }
                }
                catch (NotLeaderException)
                {
                    Log.MemberJoinAbandoned(_logger, peer.ToString(), "leadership moved; add the member again on the new leader");
                    return;
                }
                catch (RaftCluster<RaftClusterMember>.ConcurrentMembershipModificationException)
                {
                    // Another change is in flight; try again shortly.
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), join.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _pendingAdds.TryRemove(new KeyValuePair<EndPoint, CancellationTokenSource>(peer, join));
            join.Dispose();
        }
    }

    /// <summary>Entries a joining member may replay from the log rather than wait for a fresh snapshot.</summary>
    internal const long FreshSnapshotLag = 1_000;

    /// <summary>
    /// A new member starts empty and receives the newest published snapshot, then replays the log after it: with
    /// etcd's snapshot count (100,000) that was up to 105,000 entries, most of a big store's join time (~2.5 s per
    /// 100,000 on this kind of machine; etcd sends its current state instead). So the leader checkpoints now; one
    /// replication round then takes every reachable follower past that index (none of them needs the snapshot once
    /// the log before it may go), and the snapshot is published for the new member.
    /// </summary>
    private async Task SnapshotForNewMemberAsync(IPEndPoint peer, CancellationToken cancellationToken)
    {
        try
        {
            if (_cluster.LeadershipToken.IsCancellationRequested
                || await _machine.CheckpointForCatchUpAsync(FreshSnapshotLag, cancellationToken).ConfigureAwait(false) is not { } index)
            {
                return;
            }
            using (var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                round.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    await _cluster.ForceReplicationAsync(round.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // A follower that has not answered in that time lags anyway.
                }
            }
            if (await _machine.PublishAsync(index, cancellationToken).ConfigureAwait(false))
            {
                Log.SnapshotForNewMember(_logger, index, peer.ToString());
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The member still joins, from the published snapshot and the log (a lost leadership: AddMemberAsync says so).
            Log.SnapshotForNewMemberFailed(_logger, peer.ToString(), e.Message);
        }
    }

    private async ValueTask<KvResult<MemberListResponse>> RemoveOnLeaderAsync(ulong id, CancellationToken cancellationToken)
    {
        var member = _cluster.Members.FirstOrDefault(m => MemberInfo.IdOf(m.EndPoint) == id);
        if (member is null)
        {
            // An added member that never started is not in the Raft configuration yet: stop trying to join it.
            if (_pendingAdds.FirstOrDefault(p => MemberInfo.IdOf(p.Key) == id) is { Value: { } join } pending && _pendingAdds.TryRemove(pending))
            {
                await join.CancelAsync().ConfigureAwait(false);
                return await LocalMemberListAsync(cancellationToken).ConfigureAwait(false);
            }
            return KvFailure.Of(KvStatus.MemberNotFound);
        }
        try
        {
            if (!await _cluster.RemoveMemberAsync(member.EndPoint, cancellationToken).ConfigureAwait(false))
            {
                return TimedOut;
            }
            // The change is committed; DotNext drops the member from its list when it applies it.
            while (_cluster.Members.Any(m => m.EndPoint.Equals(member.EndPoint)))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RaftCluster<RaftClusterMember>.ConcurrentMembershipModificationException)
        {
            return new KvFailure(KvStatus.Unavailable, "etcdserver: another membership change is in progress");
        }
        return await LocalMemberListAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ClusterMember> DescribeAsync(RaftClusterMember member, CancellationToken cancellationToken)
    {
        if (!member.IsRemote)
        {
            return new ClusterMember(_member.MemberId, _member.Name, [Endpoints.ToUrl(member.EndPoint)], [_clientUrl.ToString().TrimEnd('/')]);
        }
        IReadOnlyDictionary<string, string>? metadata = member.TryGetMetadata();
        if (metadata is null)
        {
            using var quick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quick.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                metadata = await member.GetMetadataAsync(false, quick.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or DotNext.Net.Cluster.MemberUnavailableException)
            {
                // Not started (or unreachable): etcd lists such a member without a name or client URLs.
            }
        }
        var name = metadata?.GetValueOrDefault(MemberMetadata.Name) ?? "";
        string[] clientUrls = metadata?.GetValueOrDefault(MemberMetadata.ClientUrl) is { } url ? [url.TrimEnd('/')] : [];
        return new ClusterMember(MemberInfo.IdOf(member.EndPoint), name, [Endpoints.ToUrl(member.EndPoint)], clientUrls);
    }

    /// <summary>Runs a membership change on the leader: here when this member leads, otherwise forwarded there.</summary>
    private async ValueTask<KvResult<T>> OnLeaderAsync<T>(object body, Func<ValueTask<KvResult<T>>> onLeader, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(RequestTimeout);
        try
        {
            while (true)
            {
                if (await LeaderAsync(deadline.Token).ConfigureAwait(false) is not { } leader)
                {
                    return Removed;
                }
                if (!leader.IsRemote)
                {
                    if (IsReadyLeader)
                    {
                        return await onLeader().ConfigureAwait(false);
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token).ConfigureAwait(false);
                    continue;
                }
                var command = CommandCodec.Encode(new Command(RequestId.None, body));
                var reply = await _forwarder.ForwardAsync(await ClientUrlOfAsync(leader, deadline.Token).ConfigureAwait(false), command, deadline.Token).ConfigureAwait(false);
                switch (reply.Status)
                {
                    case ForwardStatus.Applied:
                        return ResultCodec.Decode<T>(new(reply.Result!));
                    case ForwardStatus.Ambiguous:
                        return LeaderChanged;
                    default:
                        await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TimedOut;
        }
    }

    /// <summary>Membership changes and lease questions forwarded by a follower, answered here on the leader; null for a log entry.</summary>
    private async Task<object?> AcceptOnLeaderAsync(object body, CancellationToken cancellationToken) => body switch
    {
        MemberAddRequest add => await MemberAddAsync(add, cancellationToken).ConfigureAwait(false),
        MemberRemoveRequest remove => await RemoveOnLeaderAsync(remove.Id, cancellationToken).ConfigureAwait(false),
        LeaseKeepAliveQuery keepAlive => KeepAliveOnLeader(keepAlive.Id),
        LeaseTimeToLiveRequest timeToLive => TimeToLiveOnLeader(timeToLive),
        PendingMembersQuery => await LocalMemberListAsync(cancellationToken).ConfigureAwait(false),
        ReadIndexQuery => await ReadIndexOnLeaderAsync(cancellationToken).ConfigureAwait(false),
        _ => null,
    };

    /// <summary>Stops background work (pending member joins); the member is shutting down.</summary>
    internal void Stop() => _lifetime.Cancel();
}
