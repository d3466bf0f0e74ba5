using System.Text;
using StateStore.Kv;

namespace StateStore.Storage.Tests.Properties;

// The commands a property test runs against the store and the model. Keys and values are strings whose
// chars are bytes (Latin-1), so a counterexample prints readably. Revisions are picked relative to the
// store's position when the command runs, so a shrunk sequence still means what it meant.

/// <summary>One step of a generated sequence.</summary>
public abstract record Command
{
    internal static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    internal static byte[]? End(string? rangeEnd) => rangeEnd is null ? null : B(rangeEnd);

    internal static string Show(string? s) =>
        s is null ? "-" : "\"" + string.Concat(s.Select(c => c is >= ' ' and < '\x7f' and not '"' and not '\\' ? c.ToString() : $"\\x{(int)c:x2}")) + "\"";
}

public sealed record PutCommand(string Key, string Value, long Lease, bool PrevKv, bool IgnoreValue, bool IgnoreLease) : Command
{
    public PutRequest ToRequest() => new()
    {
        Key = B(Key), Value = B(Value), Lease = Lease, PrevKv = PrevKv, IgnoreValue = IgnoreValue, IgnoreLease = IgnoreLease,
    };

    public override string ToString() =>
        $"Put({Show(Key)}, {Show(Value)}{(Lease != 0 ? $", lease {Lease}" : "")}{(PrevKv ? ", prev" : "")}{(IgnoreValue ? ", ignoreValue" : "")}{(IgnoreLease ? ", ignoreLease" : "")})";
}

/// <summary>A put whose key + value is <see cref="Excess"/> bytes over the 1.5 MiB limit (≤ 0: within it).</summary>
public sealed record BigPutCommand(string Key, int Excess) : Command
{
    public PutRequest ToRequest() => new()
    {
        Key = B(Key),
        Value = Enumerable.Repeat((byte)'v', 1_572_864 - Key.Length + Excess).ToArray(),
    };

    public override string ToString() => $"BigPut({Show(Key)}, excess {Excess})";
}

public sealed record DeleteCommand(string Key, string? RangeEnd, bool PrevKv) : Command
{
    public DeleteRangeRequest ToRequest() => new() { Key = B(Key), RangeEnd = End(RangeEnd), PrevKv = PrevKv };

    public override string ToString() => $"Delete({Show(Key)}, {Show(RangeEnd)}{(PrevKv ? ", prev" : "")})";
}

public sealed record RangeCommand(
    string Key,
    string? RangeEnd,
    RevisionPick Revision,
    long Limit,
    SortOrder SortOrder,
    SortTarget SortTarget,
    bool KeysOnly,
    bool CountOnly,
    RevisionPick? MinMod,
    RevisionPick? MaxMod,
    RevisionPick? MinCreate,
    RevisionPick? MaxCreate) : Command
{
    public RangeRequest ToRequest(Position at) => new()
    {
        Key = B(Key),
        RangeEnd = End(RangeEnd),
        Revision = Revision.Resolve(at),
        Limit = Limit,
        SortOrder = SortOrder,
        SortTarget = SortTarget,
        KeysOnly = KeysOnly,
        CountOnly = CountOnly,
        MinModRevision = Filter(MinMod, at),
        MaxModRevision = Filter(MaxMod, at),
        MinCreateRevision = Filter(MinCreate, at),
        MaxCreateRevision = Filter(MaxCreate, at),
    };

    private static long Filter(RevisionPick? pick, Position at) => pick is { } p ? Math.Max(0, p.Resolve(at)) : 0;

    public override string ToString()
    {
        var text = new StringBuilder($"Range({Show(Key)}, {Show(RangeEnd)}, rev {Revision}");
        if (Limit != 0) text.Append($", limit {Limit}");
        if (SortOrder != SortOrder.None || SortTarget != SortTarget.Key) text.Append($", sort {SortTarget} {SortOrder}");
        if (KeysOnly) text.Append(", keysOnly");
        if (CountOnly) text.Append(", countOnly");
        if (MinMod is { } a) text.Append($", minMod {a}");
        if (MaxMod is { } b) text.Append($", maxMod {b}");
        if (MinCreate is { } c) text.Append($", minCreate {c}");
        if (MaxCreate is { } d) text.Append($", maxCreate {d}");
        return text.Append(')').ToString();
    }
}

/// <summary>A txn; its branches hold <see cref="PutCommand"/>, <see cref="DeleteCommand"/>, <see cref="RangeCommand"/> and nested <see cref="TxnCommand"/>s.</summary>
public sealed record TxnCommand(IReadOnlyList<CompareSpec> Compares, IReadOnlyList<Command> Success, IReadOnlyList<Command> Failure) : Command
{
    /// <summary>Builds the request; compare operands and read revisions are resolved against <paramref name="at"/>.</summary>
    public TxnRequest ToRequest(Position at) => new()
    {
        Compare = Compares.Select(c => c.ToCompare(at)).ToList(),
        Success = Success.Select(op => ToOp(op, at)).ToList(),
        Failure = Failure.Select(op => ToOp(op, at)).ToList(),
    };

    private static RequestOp ToOp(Command op, Position at) => op switch
    {
        PutCommand put => RequestOp.Of(put.ToRequest()),
        DeleteCommand delete => RequestOp.Of(delete.ToRequest()),
        // Reads inside a txn stay at or below the txn's start and at or above the compaction point, a
        // window every reading of the semantics agrees on.
        RangeCommand range => RequestOp.Of(range.ToRequest(at) is var r && r.Revision > 0
            ? r with { Revision = Math.Clamp(r.Revision, Math.Max(1, at.CompactRevision), at.Revision) }
            : r),
        TxnCommand txn => RequestOp.Of(txn.ToRequest(at)),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a txn operation"),
    };

    public override string ToString() =>
        $"Txn(if [{string.Join(", ", Compares)}] then [{string.Join(", ", Success)}] else [{string.Join(", ", Failure)}])";
}

/// <summary>A txn whose puts total clearly more than 1.5 MiB, or clearly less.</summary>
public sealed record BigTxnCommand(bool TooLarge) : Command
{
    public TxnRequest ToRequest()
    {
        var size = TooLarge ? 800_000 : 500_000;
        return new TxnRequest
        {
            Compare = [new Compare { Key = B("a"), Target = CompareTarget.Version, Result = CompareResult.Greater, Number = -1 }],
            Success = [RequestOp.Of(new PutRequest { Key = B("a"), Value = new byte[size] }), RequestOp.Of(new PutRequest { Key = B("b"), Value = new byte[size] })],
        };
    }

    public override string ToString() => $"BigTxn({(TooLarge ? "too large" : "fits")})";
}

/// <summary>A txn with <see cref="Count"/> entries in one list: 0 compares, 1 success, 2 failure, 3 a nested txn's success.</summary>
public sealed record ManyOpsCommand(int Count, int Where) : Command
{
    public TxnRequest ToRequest()
    {
        var compare = new Compare { Key = B("a"), Target = CompareTarget.Version, Result = CompareResult.Greater, Number = -1 };
        var read = RequestOp.Of(new RangeRequest { Key = B("a"), RangeEnd = B("c") });
        var many = Enumerable.Repeat(read, Count).ToList();
        return Where switch
        {
            0 => new TxnRequest { Compare = Enumerable.Repeat(compare, Count).ToList(), Success = [read] },
            1 => new TxnRequest { Compare = [compare], Success = many },
            2 => new TxnRequest { Compare = [compare with { Number = 1_000_000 }], Failure = many },
            _ => new TxnRequest { Success = [RequestOp.Of(new TxnRequest { Success = many })] },
        };
    }
}

/// <summary>Grants the lease <see cref="Id"/> (for an hour: nothing expires in a run), or revokes it.</summary>
public sealed record LeaseCommand(long Id, bool Revoke) : Command
{
    public override string ToString() => Revoke ? $"LeaseRevoke({Id})" : $"LeaseGrant({Id})";
}

public sealed record CompactCommand(RevisionPick Revision) : Command
{
    public override string ToString() => $"Compact({Revision})";
}

public sealed record HashKvCommand(RevisionPick Revision) : Command
{
    public override string ToString() => $"HashKv({Revision})";
}

/// <summary>Checkpoint the store; with <see cref="Restart"/>, then close and reopen it.</summary>
public sealed record CheckpointCommand(bool Restart) : Command
{
    public override string ToString() => Restart ? "CheckpointAndRestart" : "Checkpoint";
}

/// <summary>Close and reopen the store without a checkpoint: it comes back to the last one.</summary>
public sealed record RestartCommand : Command
{
    public override string ToString() => "RestartWithoutCheckpoint";
}

/// <summary>One compare of a txn. A null <see cref="Value"/> compares against the key's current value.</summary>
public sealed record CompareSpec(string Key, string? RangeEnd, CompareTarget Target, CompareResult Result, NumberPick Number, string? Value)
{
    public Compare ToCompare(Position at)
    {
        var current = at.Model.Get(Command.B(Key));
        return new Compare
        {
            Key = Command.B(Key),
            RangeEnd = Command.End(RangeEnd),
            Target = Target,
            Result = Result,
            Number = Number.Resolve(Target switch
            {
                CompareTarget.Version => current?.Version ?? 0,
                CompareTarget.Create => current?.CreateRevision ?? 0,
                CompareTarget.Mod => current?.ModRevision ?? 0,
                CompareTarget.Lease => current?.Lease ?? 0,
                _ => 0,
            }),
            Value = Value is null ? current?.Value ?? Bytes.Empty : Command.B(Value),
        };
    }

    public override string ToString() =>
        $"{Target}({Command.Show(Key)}{(RangeEnd is null ? "" : ".." + Command.Show(RangeEnd))}) {Result} {(Target == CompareTarget.Value ? Value is null ? "its value" : Command.Show(Value) : Number.ToString())}";
}

/// <summary>A compare operand: a constant, or the key's actual field plus a small delta.</summary>
public readonly record struct NumberPick(bool Relative, int N)
{
    public long Resolve(long actual) => Relative ? actual + N : N;

    public override string ToString() => Relative ? $"actual{N:+0;-0;+0}" : N.ToString();
}

/// <summary>How a command picks a revision.</summary>
public enum RevisionKind
{
    /// <summary>0: the current revision (or, for a watch, the next).</summary>
    Current,
    /// <summary>-1 - N.</summary>
    Negative,
    /// <summary>current - N.</summary>
    Back,
    /// <summary>The compaction point.</summary>
    AtCompaction,
    /// <summary>compaction point - 1 - N.</summary>
    BelowCompaction,
    /// <summary>current + 1 + N.</summary>
    Future,
    /// <summary>N + 1.</summary>
    Absolute,
}

public readonly record struct RevisionPick(RevisionKind Kind, int N)
{
    public long Resolve(Position at) => Kind switch
    {
        RevisionKind.Current => 0,
        RevisionKind.Negative => -1 - N,
        RevisionKind.Back => at.Revision - N,
        RevisionKind.AtCompaction => at.CompactRevision,
        RevisionKind.BelowCompaction => at.CompactRevision - 1 - N,
        RevisionKind.Future => at.Revision + 1 + N,
        _ => N + 1,
    };

    public override string ToString() => Kind switch
    {
        RevisionKind.Current => "current",
        RevisionKind.Negative => $"{-1 - N}",
        RevisionKind.Back => $"current-{N}",
        RevisionKind.AtCompaction => "compacted",
        RevisionKind.BelowCompaction => $"compacted-{1 + N}",
        RevisionKind.Future => $"current+{1 + N}",
        _ => $"{N + 1}",
    };
}

/// <summary>Where the store is when a command runs: what relative picks resolve against.</summary>
public sealed record Position(long Revision, long CompactRevision, Testing.Model.ModelKvStore Model);
