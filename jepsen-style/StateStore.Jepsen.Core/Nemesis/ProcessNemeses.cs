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
        await target.RestartAsync(cancellationToken);
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
        await target.WaitReadyAsync(cancellationToken, TimeSpan.FromSeconds(90));
        return new NemesisWindow(Name, target.Name, start, context.History.NowNs);
    }
}

/// <summary>
/// Power loss of the whole cluster: every member SIGKILLed at once while the traffic runs. Members run with
/// the failpoint private-wal-memory, so the WAL pages not yet flushed live only in process memory and die with
/// it, as a power cut loses the page cache. All members then start again from their data folders.
/// </summary>
public sealed class PowerLossNemesis : INemesis
{
    public string Name => "power-loss";

    public string? Failpoints => "private-wal-memory";

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var members = context.Cluster.Members;
        var start = context.History.NowNs;
        // KillAsync signals before its first await: the members die within microseconds of each other.
        await Task.WhenAll(members.Select(m => m.KillAsync()));
        context.Log($"{Name}: SIGKILL all of {string.Join(", ", members.Select(m => m.Name))}");
        await Task.Delay(hold, cancellationToken);
        foreach (var member in members)
        {
            member.Launch();
        }
        await Task.WhenAll(members.Select(m => m.WaitReadyAsync(cancellationToken, TimeSpan.FromSeconds(120))));
        context.Log($"{Name}: all members restarted and ready");
        return new NemesisWindow(Name, "all", start, context.History.NowNs);
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
