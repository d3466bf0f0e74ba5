using System.Text.Json.Serialization;

namespace StateStore.Jepsen.Core.Model;

/// <summary>What a client asked of one register (one key).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OpType>))]
public enum OpType
{
    /// <summary>A linearizable Range of the key; <see cref="Operation.Value"/> is what it returned (null: absent).</summary>
    Read,

    /// <summary>A Put of <see cref="Operation.Value"/>.</summary>
    Write,

    /// <summary>A Txn: if the key's value equals <see cref="Operation.Expected"/> then put <see cref="Operation.Value"/>.</summary>
    Cas,

    /// <summary>
    /// A delete of the key (etcd DeleteRange of the one key; Kubernetes DELETE). <see cref="Operation.Succeeded"/>:
    /// whether there was something to delete (etcd's deleted count, or Kubernetes' 200 against 404).
    /// </summary>
    Delete,

    /// <summary>
    /// A compare-and-delete: if the key's value equals <see cref="Operation.Expected"/> then delete it (etcd: a Txn
    /// comparing the value, then DeleteRange; Kubernetes: DELETE with preconditions.resourceVersion, 409 or 404
    /// when the compare fails).
    /// </summary>
    CompareAndDelete,

    /// <summary>
    /// A multi-key Txn (<see cref="TxnModel"/>): if every key of <see cref="Operation.Compares"/> holds its value (null:
    /// absent) then put <see cref="Operation.Puts"/> and get the other keys, else get every key; what the gets returned
    /// is <see cref="Operation.Reads"/>. Its <see cref="Operation.Key"/> names the key set, not one key.
    /// </summary>
    Txn,
}

/// <summary>A key and its value (null: absent), as a Txn compares, puts or reads it.</summary>
public sealed record KeyState(string Key, string? Value)
{
    public override string ToString() => $"{Key}={Value ?? "nil"}";
}

/// <summary>How an operation ended, as the client saw it (Jepsen's :ok, :fail, :info).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Outcome>))]
public enum Outcome
{
    /// <summary>Answered: it took effect (a Cas may have answered that its compare failed).</summary>
    Ok,

    /// <summary>Known not to have taken effect (a read that failed, a request refused before it was sent).</summary>
    Fail,

    /// <summary>Indeterminate: an error or timeout after the request was sent; it may or may not take effect, at any time after its invocation.</summary>
    Unknown,
}

/// <summary>
/// One operation in a history: which client process issued it, on which key, with what argument, when it
/// was invoked and completed (nanoseconds since the run began), how it ended and at which store revision.
/// A process that sees an Unknown outcome is retired, as in Jepsen: its op may still be pending, so its
/// client continues as a new process.
/// </summary>
public sealed record Operation
{
    public required int Id { get; init; }

    public required int Process { get; init; }

    public required OpType Type { get; init; }

    public required string Key { get; init; }

    /// <summary>Write/Cas: the value put. Read: the value returned (null when absent or not answered).</summary>
    public string? Value { get; init; }

    /// <summary>Cas, CompareAndDelete: the value compared against.</summary>
    public string? Expected { get; init; }

    /// <summary>Cas, CompareAndDelete that answered: whether its compare held and the put or delete happened. Delete: whether the key existed.</summary>
    public bool? Succeeded { get; init; }

    public required long InvokeNs { get; init; }

    /// <summary>When the answer came; null while unanswered (Unknown ops are treated as never returning).</summary>
    public long? CompleteNs { get; init; }

    public required Outcome Outcome { get; init; }

    /// <summary>Txn: the compares, all of which must hold for the puts.</summary>
    public IReadOnlyList<KeyState>? Compares { get; init; }

    /// <summary>Txn: the puts when the compares hold (each a unique value).</summary>
    public IReadOnlyList<KeyState>? Puts { get; init; }

    /// <summary>Txn that answered: what its gets returned, each the key's value in the state it was applied to (null while unanswered).</summary>
    public IReadOnlyList<KeyState>? Reads { get; init; }

    /// <summary>The revision in the answer's header (0 when none came).</summary>
    public long Revision { get; init; }

    /// <summary>The member the request was sent to.</summary>
    public string? Member { get; init; }

    /// <summary>The error, when there was one.</summary>
    public string? Error { get; init; }

    /// <summary>True for operations whose effect a checker must explain (a failed read or write has none).</summary>
    [JsonIgnore]
    public bool Matters => Outcome != Outcome.Fail;

    /// <summary>What this op puts when it takes effect and its compare holds: a write's or Cas's value, a Txn's puts.</summary>
    public IEnumerable<KeyState> Writes() => Type switch
    {
        OpType.Write or OpType.Cas when Value is not null => [new KeyState(Key, Value)],
        OpType.Txn => Puts ?? [],
        _ => [],
    };

    /// <summary>The values this op's answer or argument refers to: what a read returned, what a compare named (held or not), what a Txn's gets returned.</summary>
    public IEnumerable<string> Referenced() => Type switch
    {
        OpType.Read => Value is null ? [] : [Value],
        OpType.Cas or OpType.CompareAndDelete => Expected is null ? [] : [Expected],
        OpType.Txn => (Compares ?? []).Concat(Reads ?? []).Select(k => k.Value).OfType<string>(),
        _ => [],
    };

    /// <summary>The values this op's answer proves the store held: what it read, and what a compare that held named.</summary>
    public IEnumerable<string> Observed() => Outcome != Outcome.Ok ? [] : Type switch
    {
        OpType.Read => Referenced(),
        OpType.Cas or OpType.CompareAndDelete when Succeeded == true => Referenced(),
        OpType.Txn => (Succeeded == true ? Compares ?? [] : []).Concat(Reads ?? []).Select(k => k.Value).OfType<string>(),
        _ => [],
    };

    public override string ToString()
    {
        var arg = Type switch
        {
            OpType.Read => Outcome == Outcome.Ok ? $"-> {Value ?? "nil"}" : "",
            OpType.Write => Value ?? "",
            OpType.Delete => Succeeded is { } existed ? (existed ? "deleted" : "absent") : "",
            OpType.Txn => $"if [{string.Join(", ", Compares ?? [])}] put [{string.Join(", ", Puts ?? [])}]"
                + (Succeeded is { } t ? (t ? " succeeded" : " compare failed") : "") + (Reads is { } r ? $" read [{string.Join(", ", r)}]" : ""),
            OpType.CompareAndDelete => $"if {Expected}" + (Succeeded is { } d ? (d ? " deleted" : " compare failed") : ""),
            _ => $"{Expected}->{Value}" + (Succeeded is { } s ? (s ? " succeeded" : " compare failed") : ""),
        };
        var done = CompleteNs is { } c ? $"{c / 1e6:F1}" : "∞";
        return $"#{Id} p{Process} {Type.ToString().ToLowerInvariant()} {Key} {arg} [{InvokeNs / 1e6:F1}..{done} ms] {Outcome.ToString().ToLowerInvariant()}"
            + (Revision > 0 ? $" rev {Revision}" : "") + (Member is null ? "" : $" @{Member}") + (Error is null ? "" : $" ({Error})");
    }
}
