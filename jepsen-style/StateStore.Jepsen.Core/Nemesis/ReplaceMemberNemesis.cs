namespace StateStore.Jepsen.Core.Nemesis;

/// <summary>
/// Member replacement, as an operator replaces a failed machine: MemberRemove of a random follower through the
/// leader, SIGKILL of its process and its data folder wiped; after the hold, MemberAdd of a new member (a new name,
/// data folder and ports, or address in a network namespace) and its start with <c>--initial-cluster-state
/// existing</c>. The window ends when the new member is ready; the clients and watchers move to the new membership.
/// </summary>
public sealed class ReplaceMemberNemesis : INemesis
{
    private int _replaced;

    public string Name => "replace-member";

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var cluster = context.Cluster;
        var view = context.View ?? throw new InvalidOperationException($"{Name} needs the run's member view");
        var leader = await cluster.LeaderAsync(cancellationToken, TimeSpan.FromSeconds(60));
        var followers = cluster.Members.Where(m => m != leader).ToList();
        var removed = followers[context.Random.Next(followers.Count)];
        var start = context.History.NowNs;
        await cluster.RemoveMemberAsync(removed, leader, cancellationToken);
        view.Refresh();
        await removed.KillAsync();
        Directory.Delete(removed.Config.DataDirectory, recursive: true);
        context.Log($"{Name}: removed {removed.Name} through {leader.Name}, killed it and wiped its data");
        await Task.Delay(hold, cancellationToken);

        var name = $"{removed.Name}r{Interlocked.Increment(ref _replaced)}";
        var via = await cluster.LeaderAsync(cancellationToken, TimeSpan.FromSeconds(60));
        var (added, _) = await cluster.AddMemberAsync(name, via, cancellationToken);
        await added.WaitReadyAsync(cancellationToken, context.ReadyTimeout ?? TimeSpan.FromSeconds(120));
        view.Refresh();
        context.Log($"{Name}: added {name} through {via.Name}; ready");
        return new NemesisWindow(Name, $"{removed.Name} -> {name}", start, context.History.NowNs);
    }
}
