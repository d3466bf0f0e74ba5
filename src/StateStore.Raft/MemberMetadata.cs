namespace StateStore.Raft;

/// <summary>Keys of the metadata each member advertises to its peers through DotNext.</summary>
internal static class MemberMetadata
{
    public const string Name = "name";
    public const string ClientUrl = "client-url";
    public const string ClusterId = "cluster-id";
}
