namespace StateStore.EtcdApi;

/// <summary>Settings of the etcd v3 gRPC front door.</summary>
public sealed class EtcdApiOptions
{
    /// <summary>etcd accepts requests up to 1.5 MiB; the store answers larger ones "request is too large".</summary>
    public const int MaxRequestBytes = 1536 * 1024;

    /// <summary>
    /// The largest gRPC message received: etcd's request limit plus its gRPC overhead allowance (512 KiB),
    /// so that a request somewhat over the limit reaches the store and gets etcd's error rather than a
    /// transport error.
    /// </summary>
    public const int MaxReceiveMessageSize = MaxRequestBytes + 512 * 1024;

    /// <summary>The server version Maintenance.Status reports (etcdctl and clients read it).</summary>
    public string Version { get; set; } = "3.5.0";

    /// <summary>
    /// How often a watch created with progress_notify hears of the revision when nothing else was sent
    /// (etcd's default is 10 minutes).
    /// </summary>
    public TimeSpan ProgressNotifyInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most bytes of events one watch response carries before the rest of a batch follows in another
    /// response (split between revisions, never inside one), so default client receive limits (4 MiB) hold.
    /// </summary>
    public int WatchResponseSoftLimitBytes { get; set; } = 1024 * 1024;
}
