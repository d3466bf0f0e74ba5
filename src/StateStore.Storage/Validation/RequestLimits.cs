namespace StateStore.Storage.Validation;

/// <summary>etcd's default limits.</summary>
public static class RequestLimits
{
    /// <summary>etcd's default --max-request-bytes: 1.5 MiB.</summary>
    public const int MaxRequestBytes = 1536 * 1024;

    /// <summary>etcd's default --max-txn-ops.</summary>
    public const int MaxTxnOps = 128;
}
