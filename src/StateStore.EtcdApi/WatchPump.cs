using StateStore.Kv;

namespace StateStore.EtcdApi;

/// <summary>
/// One watch on a stream: the store's <see cref="IKvWatch"/> and what the stream knows of its progress.
/// Its pump task reads the watch and queues responses; the stream's single writer sends them.
/// </summary>
internal sealed class WatchPump(long id, IKvWatch watch, bool progressNotify, long covered)
{
    private long _covered = covered;
    private volatile bool _idle;
    private volatile bool _sentSinceTick;

    public long Id { get; } = id;

    public IKvWatch Watch { get; } = watch;

    /// <summary>The client asked for periodic progress notifications on this watch.</summary>
    public bool ProgressNotify { get; } = progressNotify;

    /// <summary>Every event at or below this revision has been queued for sending.</summary>
    public long Covered => Volatile.Read(ref _covered);

    /// <summary>
    /// True while the pump waits on a read that did not complete at once: the store had nothing queued for
    /// this watch, so it has seen every revision written so far.
    /// </summary>
    public bool Idle
    {
        get => _idle;
        set => _idle = value;
    }

    /// <summary>Events were queued since the last progress tick (etcd then skips the tick's notification).</summary>
    public bool SentSinceTick
    {
        get => _sentSinceTick;
        set => _sentSinceTick = value;
    }

    /// <summary>Set by the writer once the watch's final response (cancel or end) is sent; later ones are dropped.</summary>
    public bool Closed { get; set; }

    /// <summary>The task reading the store's watch.</summary>
    public Task Pumping { get; set; } = Task.CompletedTask;

    public void Advance(long revision)
    {
        if (revision > Covered)
        {
            Volatile.Write(ref _covered, revision);
        }
    }
}
