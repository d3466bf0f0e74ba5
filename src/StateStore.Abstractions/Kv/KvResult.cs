using System.Diagnostics.CodeAnalysis;

namespace StateStore.Kv;

/// <summary>An operation's outcome: a value on <see cref="KvStatus.Ok"/>, otherwise a status and a message.</summary>
public readonly record struct KvResult<T>
{
    private readonly T? _value;

    private KvResult(KvStatus status, T? value, string? error)
    {
        Status = status;
        _value = value;
        Error = error;
    }

    /// <summary>The outcome.</summary>
    public KvStatus Status { get; }

    /// <summary>A human-readable explanation when <see cref="Status"/> is not Ok.</summary>
    public string? Error { get; }

    /// <summary>True when the operation succeeded.</summary>
    [MemberNotNullWhen(true, nameof(_value))]
    public bool IsOk => Status == KvStatus.Ok;

    /// <summary>The result; throws when the operation failed (a bug in the caller).</summary>
    public T Value => IsOk ? _value : throw new InvalidOperationException($"No value: {Status} ({Error})");

    public static KvResult<T> Ok(T value) => new(KvStatus.Ok, value, null);

    public static KvResult<T> Fail(KvStatus status, string? error = null) =>
        status == KvStatus.Ok
            ? throw new ArgumentException("A failure needs a failing status.", nameof(status))
            : new(status, default, error ?? KvErrors.MessageOf(status));

    public static implicit operator KvResult<T>(KvFailure failure) => Fail(failure.Status, failure.Error);

    public override string ToString() => IsOk ? $"Ok({_value})" : $"{Status}: {Error}";
}

/// <summary>A failure without a value type, convertible to any <see cref="KvResult{T}"/>.</summary>
public readonly record struct KvFailure(KvStatus Status, string Error)
{
    public static KvFailure Of(KvStatus status) => new(status, KvErrors.MessageOf(status));
}

/// <summary>etcd's messages for each status, so every front door says the same thing.</summary>
public static class KvErrors
{
    public static string MessageOf(KvStatus status) => status switch
    {
        KvStatus.Ok => "ok",
        KvStatus.EmptyKey => "etcdserver: key is not provided",
        KvStatus.KeyNotFound => "etcdserver: key not found",
        KvStatus.Compacted => "mvcc: required revision has been compacted",
        KvStatus.FutureRevision => "mvcc: required revision is a future revision",
        KvStatus.RequestTooLarge => "etcdserver: request is too large",
        KvStatus.TooManyOps => "etcdserver: too many operations in txn request",
        KvStatus.DuplicateKey => "etcdserver: duplicate key given in txn request",
        KvStatus.ValueProvided => "etcdserver: value is provided",
        KvStatus.LeaseProvided => "etcdserver: lease is provided",
        KvStatus.LeaseNotFound => "etcdserver: requested lease not found",
        KvStatus.InvalidArgument => "etcdserver: invalid argument",
        KvStatus.NotLeader => "etcdserver: not leader",
        KvStatus.NoSpace => "etcdserver: mvcc: database space exceeded",
        KvStatus.Unavailable => "etcdserver: server stopped",
        KvStatus.MemberNotFound => "etcdserver: member not found",
        KvStatus.PeerUrlExists => "etcdserver: Peer URLs already exists",
        KvStatus.NotCapable => "etcdserver: not capable",
        KvStatus.LeaseExists => "etcdserver: lease already exists",
        KvStatus.LeaseTtlTooLarge => "etcdserver: too large lease TTL",
        _ => status.ToString(),
    };
}
