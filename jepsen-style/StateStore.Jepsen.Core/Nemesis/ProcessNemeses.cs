using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Nemesis;

/// <summary>SIGKILL of one member (a random one, or the leader), then a restart from its data folder.</summary>
public sealed class KillNemesis(bool leader) : INemesis
{
    public string Name => leader ? "kill-leader" : "kill";

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var target = await Targets.PickAsync(context, leader, cancellationToken);
        var start = context.History.NowNs;
        await target.KillAsync();
        context.Log($"{Name}: SIGKILL {target.Name}");
        await Task.Delay(hold, cancellationToken);
        target.Launch();
        await target.WaitReadyAsync(cancellationToken, context.ReadyTimeout ?? TimeSpan.FromSeconds(45));
        context.Log($"{Name}: {target.Name} restarted and ready");
        return new NemesisWindow(Name, target.Name, start, context.History.NowNs);
    }
}

/// <summary>SIGSTOP of one member (a random one, or the leader): it keeps its sockets and answers nothing; then SIGCONT.</summary>
public sealed class PauseNemesis(bool leader) : INemesis
{
    public string Name => leader ? "pause-leader" : "pause";

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var target = await Targets.PickAsync(context, leader, cancellationToken);
        var start = context.History.NowNs;
        target.Pause();
        context.Log($"{Name}: SIGSTOP {target.Name}");
        try
        {
            await Task.Delay(hold, cancellationToken);
        }
        finally
        {
            target.Resume();
        }
        context.Log($"{Name}: SIGCONT {target.Name}");
        await target.WaitReadyAsync(cancellationToken, context.ReadyTimeout ?? TimeSpan.FromSeconds(90));
        return new NemesisWindow(Name, target.Name, start, context.History.NowNs);
    }
}

/// <summary>
/// Power loss of the whole cluster: every member SIGKILLed at once while the traffic runs. Members run with
/// the failpoint private-wal-memory, so the WAL pages not yet flushed live only in process memory and die with
/// it, as a power cut loses the page cache. All members then start again from their data folders; with
/// <c>leaderLast</c>, the old leader only after the others have elected a leader among themselves and served
/// for a while, so that whatever only the old leader held is gone for good (an acknowledged write must be
/// durable on a majority, not on the leader alone).
/// </summary>
public sealed class PowerLossNemesis(bool leaderLast = false) : INemesis
{
    public string Name => leaderLast ? "power-loss-leader-last" : "power-loss";

    public string? Failpoints => "private-wal-memory";

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var members = context.Cluster.Members;
        ServerProcess? last = leaderLast ? await context.Cluster.LeaderAsync(cancellationToken, TimeSpan.FromSeconds(60)) : null;
        var start = context.History.NowNs;
        // KillAsync signals before its first await: the members die within microseconds of each other.
        await Task.WhenAll(members.Select(m => m.KillAsync()));
        context.Log($"{Name}: SIGKILL all of {string.Join(", ", members.Select(m => m.Name))}" + (last is null ? "" : $" (leader {last.Name})"));
        await Task.Delay(hold, cancellationToken);
        var first = members.Where(m => m != last).ToList();
        var timeout = context.ReadyTimeout ?? TimeSpan.FromSeconds(120);
        await LaunchAsync(first, timeout, cancellationToken);
        if (last is not null)
        {
            context.Log($"{Name}: {string.Join(", ", first.Select(m => m.Name))} restarted and ready without {last.Name}");
            await Task.Delay(hold / 2, cancellationToken);
            await LaunchAsync([last], timeout, cancellationToken);
        }
        context.Log($"{Name}: all members restarted and ready");
        return new NemesisWindow(Name, "all", start, context.History.NowNs);
    }

    private static async Task LaunchAsync(IReadOnlyList<ServerProcess> members, TimeSpan timeout, CancellationToken cancellationToken)
    {
        foreach (var member in members)
        {
            member.Launch();
        }
        await Task.WhenAll(members.Select(m => m.WaitReadyAsync(cancellationToken, timeout)));
    }
}

/// <summary>
/// A leader that loses its majority and then dies: SIGSTOP of every follower, the hold (the leader goes on taking
/// requests it cannot commit), SIGKILL of the leader, SIGCONT of the followers, which elect a leader among themselves;
/// then the old leader is restarted and rejoins behind them. Nothing the old leader took during the hold may have been
/// acknowledged: none of it was on a majority.
/// </summary>
public sealed class PauseFollowersKillLeaderNemesis : INemesis
{
    public string Name => "pause-followers-kill-leader";

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var leader = await context.Cluster.LeaderAsync(cancellationToken, TimeSpan.FromSeconds(60));
        var followers = context.Cluster.Members.Where(m => m != leader).ToList();
        var start = context.History.NowNs;
        try
        {
            foreach (var follower in followers)
            {
                follower.Pause();
            }
            context.Log($"{Name}: SIGSTOP {string.Join(", ", followers.Select(f => f.Name))}; {leader.Name} leads alone");
            await Task.Delay(hold, cancellationToken);
            await leader.KillAsync();
        }
        finally
        {
            foreach (var follower in followers.Where(f => f.IsPaused))
            {
                follower.Resume();
            }
        }
        context.Log($"{Name}: SIGKILL {leader.Name}, SIGCONT the followers");
        var timeout = context.ReadyTimeout ?? TimeSpan.FromSeconds(90);
        await Task.WhenAll(followers.Select(f => f.WaitReadyAsync(cancellationToken, timeout)));
        leader.Launch();
        await leader.WaitReadyAsync(cancellationToken, timeout);
        context.Log($"{Name}: {leader.Name} restarted and ready");
        return new NemesisWindow(Name, leader.Name, start, context.History.NowNs);
    }
}

internal static class Targets
{
    public static async Task<ServerProcess> PickAsync(NemesisContext context, bool leader, CancellationToken cancellationToken)
    {
        if (leader)
        {
            return await context.Cluster.LeaderAsync(cancellationToken, TimeSpan.FromSeconds(60));
        }
        var members = context.Cluster.Members;
        return members[context.Random.Next(members.Count)];
    }
}
