using Etcdserverpb;

namespace StateStore.Testing.Processes;

public sealed partial class ProcessCluster
{
    private static readonly TimeSpan MembershipCallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// etcd's way of growing a cluster: MemberAdd with the new member's peer URL through <paramref name="via"/>,
    /// then launch the member with <c>--initial-cluster-state existing</c> and an <c>--initial-cluster</c> listing
    /// every member and itself. Returns the launched member (not waited for) and the MemberAdd answer.
    /// </summary>
    public async Task<(ServerProcess Member, MemberAddResponse Added)> AddMemberAsync(string name, ServerProcess via, CancellationToken cancellationToken)
    {
        var config = MemberConfig.Allocate(name, Path.Combine(DataRoot, name), Options.Ports, HostOf(Options.Network), Options.PeerProxies);
        AddProxy(config);
        var added = await new Cluster.ClusterClient(via.Channel).MemberAddAsync(new MemberAddRequest { PeerURLs = { config.PeerUrl } },
            deadline: DateTime.UtcNow + MembershipCallTimeout, cancellationToken: cancellationToken);
        var initialCluster = string.Join(",", _members.Select(m => m.Config).Append(config).Select(c => $"{c.Name}={c.PeerUrl}"));
        var member = _newMember(config, initialCluster, ["--initial-cluster-state", "existing"]);
        _started.Add(member);
        _members.Add(member);
        member.Launch();
        return (member, added);
    }

    /// <summary>
    /// MemberRemove of <paramref name="member"/> (by the id it reports itself) through <paramref name="via"/>.
    /// From then on it is no longer one of <see cref="Members"/>; its process keeps running until stopped.
    /// </summary>
    public async Task<MemberRemoveResponse> RemoveMemberAsync(ServerProcess member, ServerProcess via, CancellationToken cancellationToken)
    {
        var id = (await StatusAsync(member, cancellationToken)).MemberId;
        var removed = await RemoveMemberByIdAsync(id, via, cancellationToken);
        _members.Remove(member);
        return removed;
    }

    /// <summary>MemberRemove of the member with <paramref name="id"/> through <paramref name="via"/>.</summary>
    public static async Task<MemberRemoveResponse> RemoveMemberByIdAsync(ulong id, ServerProcess via, CancellationToken cancellationToken) =>
        await new Cluster.ClusterClient(via.Channel).MemberRemoveAsync(new MemberRemoveRequest { ID = id },
            deadline: DateTime.UtcNow + MembershipCallTimeout, cancellationToken: cancellationToken);

    /// <summary>The members <paramref name="via"/> lists (etcd's MemberList).</summary>
    public static async Task<IReadOnlyList<Member>> MemberListAsync(ServerProcess via, CancellationToken cancellationToken) =>
        (await new Cluster.ClusterClient(via.Channel).MemberListAsync(new MemberListRequest(),
            deadline: DateTime.UtcNow + MembershipCallTimeout, cancellationToken: cancellationToken)).Members;
}
