namespace StateStore.Jepsen.Core.Model;

/// <summary>One key event as etcd's watch delivers it: the revision it happened at, the key, put or delete, and the value put.</summary>
public sealed record WatchEvent(long Revision, string Key, bool Delete, string? Value)
{
    public override string ToString() => $"rev {Revision} {(Delete ? "delete" : "put")} {Key}" + (Delete ? "" : $"={Value}");
}

/// <summary>
/// An event as one watcher received it: from which member, in which session (a watcher resumes in a new
/// session, on another member, after its stream breaks), in which response of the watcher (numbered across
/// sessions), and when.
/// </summary>
public sealed record ObservedEvent(WatchEvent Event, string Member, int Session, int Response, long ReceivedNs);

/// <summary>Everything one watcher received, in order, and the revision it first asked to start from.</summary>
public sealed record WatchLog(string Name, long StartRevision, IReadOnlyList<ObservedEvent> Events)
{
    /// <summary>The streams that delivered events: more than one when the watcher resumed on another member.</summary>
    public int Sessions => Events.Select(e => e.Session).Distinct().Count();
}
