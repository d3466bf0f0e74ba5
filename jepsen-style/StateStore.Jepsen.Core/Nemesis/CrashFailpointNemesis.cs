using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Nemesis;

/// <summary>
/// A crash at a line of the server (etcd robustness's gofail panics): members are relaunched with a crash failpoint of
/// <c>StateStore.Raft.Failpoints</c> armed, the traffic (or a snapshot the nemesis forces) reaches the point, the member
/// kills itself there, and is relaunched clean. The window's target names the member and says whether it crashed.
/// </summary>
/// <remarks>
/// Apply and WAL-append points: one random follower is relaunched armed (at a random hit among the first 50: some in the
/// replay of its log's tail at start, some under traffic). Snapshot points need a member that is behind the leader's
/// compacted log: a follower is killed until the leader has taken snapshots past it (the run's members take one every
/// <see cref="SnapshotCount"/> entries) and relaunched; for install it is the armed one, for send every other member is
/// first relaunched armed one at a time (whichever leads when the follower comes back sends, and dies; an armed sender
/// may already die sending to the other member it relaunched, which counts, and the victim is then left alone). Afterwards every
/// member that is down is relaunched clean, then every member still armed, one at a time.
/// </remarks>
public sealed class CrashFailpointNemesis(string failpoint) : INemesis
{
    /// <summary>The crash failpoints, each a nemesis of that name.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["crash-before-apply", "crash-after-apply", "crash-before-wal-append", "crash-after-wal-append", "crash-during-snapshot-install", "crash-during-snapshot-send"];

    /// <summary>Entries between snapshots while snapshot points are in the schedule (etcd's --snapshot-count).</summary>
    public const int SnapshotCount = 200;

    private static readonly TimeSpan CrashWait = TimeSpan.FromSeconds(30);

    public string Name => failpoint;

    private bool NeedsSnapshot => failpoint.Contains("snapshot", StringComparison.Ordinal);

    public IReadOnlyList<string> ServerFlags => NeedsSnapshot ? ["--snapshot-count", $"{SnapshotCount}", "--snapshot-catchup-entries", $"{SnapshotCount / 4}"] : [];

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var cluster = context.Cluster;
        var leader = await cluster.LeaderAsync(cancellationToken, TimeSpan.FromSeconds(60));
        var followers = cluster.Members.Where(m => m != leader).ToList();
        var victim = followers[context.Random.Next(followers.Count)];
        var start = context.History.NowNs;
        List<ServerProcess> armed;
        if (!NeedsSnapshot)
        {
            armed = [victim];
            await RelaunchAsync(context, victim, $"{failpoint}={context.Random.Next(1, 51)}", cancellationToken);
        }
        else
        {
            var onSender = failpoint == "crash-during-snapshot-send";
            armed = onSender ? [.. cluster.Members.Where(m => m != victim)] : [victim];
            foreach (var sender in onSender ? armed : [])
            {
                await RelaunchAsync(context, sender, failpoint, cancellationToken);
                await sender.WaitReadyAsync(cancellationToken, context.ReadyTimeout ?? TimeSpan.FromSeconds(45));
            }
            // A member relaunched armed may itself be behind the leader's snapshot when it returns: the leader, armed a
            // moment before, dies sending it. The point is hit; killing the victim now would leave one member of three.
            if (CrashedAtFailpoint(armed) is { } early)
            {
                context.Log($"{Name}: {early.Name} crashed while the senders were armed; {victim.Name} is left running");
            }
            else
            {
                await LagBehindSnapshotsAsync(context, victim, armed, hold, cancellationToken);
                victim.Launch(failpoints: onSender ? null : failpoint);
            }
        }
        var crashed = await WaitForCrashAsync(armed, cancellationToken);
        context.Log($"{Name}: " + (crashed is null ? $"no armed member crashed within {CrashWait.TotalSeconds:F0} s" : $"{crashed.Name} crashed at the failpoint"));
        await Task.Delay(hold, cancellationToken);
        await HealAsync(context, cancellationToken);
        var target = crashed is null ? $"{victim.Name}: {failpoint} never hit" : $"{crashed.Name}: crashed at {failpoint}";
        return new NemesisWindow(Name, target, start, context.History.NowNs);
    }

    private async Task RelaunchAsync(NemesisContext context, ServerProcess member, string? armedWith, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await member.KillAsync();
        member.Launch(failpoints: armedWith);
        context.Log($"{Name}: relaunched {member.Name} " + (armedWith is null ? "clean" : $"with failpoint {armedWith}"));
    }

    /// <summary>
    /// Kills <paramref name="victim"/> and waits (at least <paramref name="hold"/>) until the cluster's log is three
    /// snapshot intervals past where the victim stopped: the leader has then dropped entries the victim lacks, and
    /// sends it a snapshot when it comes back. Stops waiting early when an armed member crashes meanwhile (a sender
    /// hit the point on another follower): two members would be down, and the victim must come back.
    /// </summary>
    private async Task LagBehindSnapshotsAsync(NemesisContext context, ServerProcess victim, IReadOnlyList<ServerProcess> armed, TimeSpan hold, CancellationToken cancellationToken)
    {
        var stoppedAt = (await ProcessCluster.StatusAsync(victim, cancellationToken)).RaftIndex;
        await victim.KillAsync();
        context.Log($"{Name}: SIGKILL {victim.Name} at raft index {stoppedAt}; waiting for snapshots past it");
        await Task.Delay(hold, cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (CrashedAtFailpoint(armed) is null
               && (await context.Cluster.StatusesAsync(deadline.Token)).Select(s => s.RaftIndex).DefaultIfEmpty(0UL).Max() < stoppedAt + 3 * SnapshotCount)
        {
            await Task.Delay(200, deadline.Token);
        }
    }

    /// <summary>The first armed member whose process ends (it logged the failpoint's crash), or null when none does in time.</summary>
    private static async Task<ServerProcess?> WaitForCrashAsync(IReadOnlyList<ServerProcess> armed, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(CrashWait);
        while (!deadline.IsCancellationRequested)
        {
            if (CrashedAtFailpoint(armed) is { } crashed)
            {
                return crashed;
            }
            await Task.Delay(100, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }

    private static ServerProcess? CrashedAtFailpoint(IReadOnlyList<ServerProcess> armed) =>
        armed.FirstOrDefault(m => !m.IsRunning && m.CurrentRunLog().Contains("failpoint crash-", StringComparison.Ordinal));

    /// <summary>
    /// Relaunches clean every member that is down until all are ready (an armed member may crash while the others come
    /// back: a second leader sending the same snapshot), then relaunches every member still armed, one at a time.
    /// </summary>
    private async Task HealAsync(NemesisContext context, CancellationToken cancellationToken)
    {
        var timeout = context.ReadyTimeout ?? TimeSpan.FromSeconds(90);
        var giveUp = DateTime.UtcNow + timeout;
        var members = context.Cluster.Members;
        while (true)
        {
            foreach (var down in members.Where(m => !m.IsRunning))
            {
                down.Launch();
                context.Log($"{Name}: relaunched {down.Name} clean");
            }
            try
            {
                await Task.WhenAll(members.Select(m => m.WaitReadyAsync(cancellationToken, TimeSpan.FromSeconds(5))));
                break;
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException && DateTime.UtcNow < giveUp)
            {
                // Not ready yet, or one died meanwhile: relaunch what is down and look again.
            }
        }
        foreach (var still in members.Where(m => m.RunFailpoints is not null).ToList())
        {
            await RelaunchAsync(context, still, armedWith: null, cancellationToken);
            await still.WaitReadyAsync(cancellationToken, timeout);
        }
    }
}
