namespace StateStore.Jepsen.Core.Nemesis;

/// <summary>What <see cref="LinkNemesis"/> does to the links.</summary>
public enum LinkFault
{
    /// <summary>Every link into each member delayed by its own random 20-200 ms.</summary>
    Slow,

    /// <summary>Every Raft connection reset with odds of 1 in 20 per chunk it carries.</summary>
    Lossy,
}

/// <summary>
/// Slow or lossy Raft links, without tc or iptables: the members run behind a <see cref="Testing.Processes.PeerProxy"/>
/// each (they advertise the proxy's port), and for the hold every proxy delays what it passes on or resets the
/// connections it carries; then they heal. The clients' own connections are left alone.
/// </summary>
public sealed class LinkNemesis(LinkFault fault) : INemesis
{
    public string Name => fault == LinkFault.Slow ? "slow-links" : "lossy-links";

    public bool NeedsProxies => true;

    public async Task<NemesisWindow> RunAsync(NemesisContext context, TimeSpan hold, CancellationToken cancellationToken)
    {
        var proxied = context.Cluster.Members.Select(m => (Member: m, Proxy: context.Cluster.ProxyOf(m)
            ?? throw new InvalidOperationException($"{Name} needs the members behind proxies (ClusterOptions.PeerProxies)"))).ToList();
        var start = context.History.NowNs;
        var resetsBefore = proxied.Sum(p => p.Proxy.Resets);
        foreach (var (_, proxy) in proxied)
        {
            if (fault == LinkFault.Slow)
            {
                proxy.Delay = TimeSpan.FromMilliseconds(context.Random.Next(20, 201));
            }
            else
            {
                proxy.ResetOdds = 0.05;
            }
        }
        context.Log($"{Name}: " + string.Join(", ", proxied.Select(p => fault == LinkFault.Slow ? $"into {p.Member.Name} +{p.Proxy.Delay.TotalMilliseconds:F0} ms" : $"into {p.Member.Name} reset 1 chunk in 20")));
        try
        {
            await Task.Delay(hold, cancellationToken);
        }
        finally
        {
            foreach (var (_, proxy) in proxied)
            {
                proxy.Heal();
            }
        }
        var resets = proxied.Sum(p => p.Proxy.Resets) - resetsBefore;
        context.Log($"{Name}: healed" + (fault == LinkFault.Lossy ? $" after {resets} connection resets" : ""));
        var timeout = context.ReadyTimeout ?? TimeSpan.FromSeconds(60);
        await Task.WhenAll(proxied.Select(p => p.Member.WaitReadyAsync(cancellationToken, timeout)));
        return new NemesisWindow(Name, fault == LinkFault.Lossy ? $"all links, {resets} resets" : "all links", start, context.History.NowNs);
    }
}
