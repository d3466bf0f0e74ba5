namespace StateStore.Kv;

/// <summary>
/// Expected outcomes of a key-value operation, named after etcd's errors (etcd
/// <c>api/v3rpc/rpctypes/error.go</c>). Each front door maps them to the wire in one table.
/// </summary>
public enum KvStatus
{
    /// <summary>The operation succeeded.</summary>
    Ok = 0,

    /// <summary>"etcdserver: key is not provided".</summary>
    EmptyKey,

    /// <summary>"etcdserver: key not found" (a put with ignore_value/ignore_lease on a missing key).</summary>
    KeyNotFound,

    /// <summary>"mvcc: required revision has been compacted".</summary>
    Compacted,

    /// <summary>"mvcc: required revision is a future revision".</summary>
    FutureRevision,

    /// <summary>"etcdserver: request is too large".</summary>
    RequestTooLarge,

    /// <summary>"etcdserver: too many operations in txn request".</summary>
    TooManyOps,

    /// <summary>"etcdserver: duplicate key given in txn request".</summary>
    DuplicateKey,

    /// <summary>"etcdserver: value is provided" (ignore_value with a value).</summary>
    ValueProvided,

    /// <summary>"etcdserver: lease is provided" (ignore_lease with a lease).</summary>
    LeaseProvided,

    /// <summary>"etcdserver: requested lease not found".</summary>
    LeaseNotFound,

    /// <summary>The request is malformed in a way not covered above.</summary>
    InvalidArgument,

    /// <summary>"etcdserver: not leader" / "etcdserver: leader changed" — retryable.</summary>
    NotLeader,

    /// <summary>"etcdserver: mvcc: database space exceeded".</summary>
    NoSpace,

    /// <summary>The store is shut down.</summary>
    Unavailable,

    /// <summary>"etcdserver: member not found".</summary>
    MemberNotFound,

    /// <summary>"etcdserver: Peer URLs already exists".</summary>
    PeerUrlExists,

    /// <summary>"etcdserver: not capable" — the store cannot do this (e.g. membership on a store without Raft).</summary>
    NotCapable,

    /// <summary>"etcdserver: lease already exists".</summary>
    LeaseExists,

    /// <summary>"etcdserver: too large lease TTL".</summary>
    LeaseTtlTooLarge,
}
