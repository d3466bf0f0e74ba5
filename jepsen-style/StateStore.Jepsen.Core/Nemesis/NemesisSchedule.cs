namespace StateStore.Jepsen.Core.Nemesis;

/// <summary>
/// Which faults a run injects and when: each named nemesis once in turn (the short mode), or, with a time
/// limit, nemeses drawn at random until it is spent (the long mode); a quiet gap before each one so the
/// cluster serves between faults.
/// </summary>
public sealed record NemesisSchedule(IReadOnlyList<INemesis> Nemeses, TimeSpan Hold, TimeSpan Quiet, TimeSpan? TimeLimit)
{
    /// <summary>Every nemesis by its name; "all" names every one.</summary>
    public static IReadOnlyList<INemesis> All() =>
    [
        new KillNemesis(leader: false), new KillNemesis(leader: true), new PauseNemesis(leader: false), new PauseNemesis(leader: true),
        new PowerLossNemesis(), new PowerLossNemesis(leaderLast: true), new PauseFollowersKillLeaderNemesis(),
        new PartitionNemesis(PartitionShape.MajorityMinority), new PartitionNemesis(PartitionShape.IsolatedLeader), new PartitionNemesis(PartitionShape.Bridge),
        new ReplaceMemberNemesis(),
        new LinkNemesis(LinkFault.Slow), new LinkNemesis(LinkFault.Lossy),
        .. CrashFailpointNemesis.Names.Select(name => new CrashFailpointNemesis(name)),
    ];

    /// <summary>The nemeses a --nemesis value names: "all", "none", or names separated by commas.</summary>
    public static IReadOnlyList<INemesis> Parse(string names)
    {
        if (names is "all")
        {
            return All();
        }
        if (names is "none" or "")
        {
            return [];
        }
        var all = All().ToDictionary(n => n.Name);
        return names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => all.TryGetValue(n, out var nemesis) ? nemesis
                : throw new ArgumentException($"unknown nemesis '{n}'; known: all, none, {string.Join(", ", all.Keys)}"))
            .ToList();
    }

    /// <summary>True when a nemesis cuts links, so the members must run in network namespaces of their own.</summary>
    public bool NeedsNetwork => Nemeses.Any(n => n.NeedsNetwork);

    /// <summary>True when a nemesis slows or breaks links through proxies in front of the members.</summary>
    public bool NeedsProxies => Nemeses.Any(n => n.NeedsProxies);

    /// <summary>This schedule without the nemeses that need proxies (partitions cut the direct links, which proxies would bypass).</summary>
    public NemesisSchedule WithoutProxies() => this with { Nemeses = [.. Nemeses.Where(n => !n.NeedsProxies)] };

    /// <summary>This schedule without the nemeses that need network namespaces (where none can be made).</summary>
    public NemesisSchedule WithoutNetwork() => this with { Nemeses = [.. Nemeses.Where(n => !n.NeedsNetwork)] };

    /// <summary>The failpoints the members need for these nemeses, or null.</summary>
    public string? Failpoints => JoinFailpoints(Nemeses.Select(n => n.Failpoints));

    /// <summary>The server flags the members need for these nemeses (flag and value pairs), each flag once: the first nemesis naming it sets it.</summary>
    public IReadOnlyList<string> ServerFlags => [.. Nemeses.SelectMany(n => n.ServerFlags.Chunk(2)).DistinctBy(pair => pair[0]).SelectMany(pair => pair)];

    /// <summary>One STATESTORE_FAILPOINTS value from several (each a comma list, or null), each name once; null for none.</summary>
    public static string? JoinFailpoints(IEnumerable<string?> lists) =>
        lists.OfType<string>().SelectMany(l => l.Split(',')).Distinct().ToList() is { Count: > 0 } names ? string.Join(",", names) : null;

    /// <summary>Runs the schedule, adding each window to <paramref name="windows"/> as it closes; a nemesis that throws ends the schedule with that error.</summary>
    public async Task RunAsync(NemesisContext context, List<NemesisWindow> windows, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        for (var round = 0; Nemeses.Count > 0; round++)
        {
            INemesis nemesis;
            if (TimeLimit is { } limit)
            {
                if (DateTime.UtcNow - started >= limit)
                {
                    break;
                }
                nemesis = Nemeses[context.Random.Next(Nemeses.Count)];
            }
            else if (round < Nemeses.Count)
            {
                nemesis = Nemeses[round];
            }
            else
            {
                break;
            }
            await Task.Delay(Quiet, cancellationToken);
            var window = await nemesis.RunAsync(context, Hold, cancellationToken);
            lock (windows)
            {
                windows.Add(window);
            }
        }
    }
}
