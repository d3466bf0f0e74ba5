using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Nemesis;

/// <summary>When a fault was in force, on which members, for the report's shaded windows and the verdict.</summary>
public sealed record NemesisWindow(string Nemesis, string Target, long StartNs, long EndNs);

/// <summary>
/// What a nemesis acts on: the cluster, a seeded random source, the run's clock and its log; when set, how long a
/// member it restarts may take to be ready instead of the nemesis's own limit, and the members as the clients see
/// them (refreshed by a nemesis that changes the membership).
/// </summary>
public sealed record NemesisContext(ProcessCluster Cluster, Random Random, History History, Action<string> Log, TimeSpan? ReadyTimeout = null, MemberView? View = null);

/// <summary>
/// A fault, injected and healed in one call (etcd robustness's failpoint/nemesis): it breaks something, holds
/// the fault for <c>hold</c>, repairs it, and returns the window it was in force, ending when the cluster was
/// whole again.
/// </summary>
public interface INemesis
{
    string Name { get; }

    /// <summary>STATESTORE_FAILPOINTS the members must be started with for this nemesis, or null.</summary>
    string? Failpoints => null;

    /// <summary>More flags every member must be started with for this nemesis (pairs of flag and value), e.g. a low --snapshot-count.</summary>
    IReadOnlyList<string> ServerFlags => [];

    /// <summary>True when the members must run behind a Raft proxy each (<see cref="Testing.Processes.PeerProxy"/>).</summary>
    bool NeedsProxies => false;

    /// <summary>True when the members must run in network namespaces of their own (<see cref="Testing.Processes.MemberNetwork"/>).</summary>
    bool NeedsNetwork => false;

    Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken);
}
