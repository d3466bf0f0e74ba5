namespace StateStore.Kv;

/// <summary>A member of the cluster as etcd's Member describes it; a member added but not yet started has no name and no client URLs.</summary>
public sealed record ClusterMember(ulong Id, string Name, IReadOnlyList<string> PeerUrls, IReadOnlyList<string> ClientUrls);

/// <summary>etcd's MemberAddRequest.</summary>
public sealed record MemberAddRequest(IReadOnlyList<string> PeerUrls);

/// <summary>etcd's MemberRemoveRequest.</summary>
public sealed record MemberRemoveRequest(ulong Id);

/// <summary>The members after a list, or after a change.</summary>
public sealed record MemberListResponse(IReadOnlyList<ClusterMember> Members);

/// <summary>etcd's MemberAddResponse: the new member and the members after the change.</summary>
public sealed record MemberAddResponse(ClusterMember Member, IReadOnlyList<ClusterMember> Members);

/// <summary>Membership of a store that is not replicated: one member, and no changes.</summary>
public static class StandaloneMembership
{
    public static readonly MemberListResponse Members = new([new ClusterMember(0, "default", [], [])]);

    public static ValueTask<KvResult<MemberListResponse>> List() => new(KvResult<MemberListResponse>.Ok(Members));

    public static ValueTask<KvResult<MemberAddResponse>> Add() => new(KvFailure.Of(KvStatus.NotCapable));

    public static ValueTask<KvResult<MemberListResponse>> Remove() => new(KvFailure.Of(KvStatus.NotCapable));
}
