using System.Collections;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Nemesis;

/// <summary>
/// The members as the clients and watchers see them: a snapshot of the cluster's members that a membership nemesis
/// refreshes (on its own thread, the only one that changes the membership) after it removes or adds one. An index
/// wraps around, so a client that picked an index before the list shrank still gets a member.
/// </summary>
public sealed class MemberView(ProcessCluster cluster) : IReadOnlyList<ServerProcess>
{
    private volatile ServerProcess[] _current = [.. cluster.Members];

    public ServerProcess this[int index] => _current[index % _current.Length];

    public int Count => _current.Length;

    /// <summary>Takes the cluster's members as they are now.</summary>
    public void Refresh() => _current = [.. cluster.Members];

    public IEnumerator<ServerProcess> GetEnumerator() => ((IEnumerable<ServerProcess>)_current).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
