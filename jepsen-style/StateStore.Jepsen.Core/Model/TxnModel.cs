namespace StateStore.Jepsen.Core.Model;

/// <summary>
/// The state of a small set of keys for <see cref="TxnModel"/>: each key's value (null: absent), in the model's key
/// order, compared by value for the search's memo.
/// </summary>
public sealed class KeyMap : IEquatable<KeyMap>
{
    private readonly string?[] _values;

    public KeyMap(string?[] values) => _values = values;

    public string? this[int key] => _values[key];

    /// <summary>This state with <paramref name="puts"/> applied (key index, value).</summary>
    public KeyMap With(IEnumerable<(int Key, string Value)> puts)
    {
        var values = (string?[])_values.Clone();
        foreach (var (key, value) in puts)
        {
            values[key] = value;
        }
        return new KeyMap(values);
    }

    public bool Equals(KeyMap? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as KeyMap);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var value in _values)
        {
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", _values.Select(v => v ?? "nil"));
}

/// <summary>
/// The sequential specification of multi-key transactions over a small key set (etcd robustness's multi-op Txn):
/// the state is every key's value, so ops on different keys are not independent and the history cannot be split by
/// key. A Txn happens in a state when its answer agrees with it: it succeeded exactly when every compare holds (a
/// compare on null holds when the key is absent, as etcd's version == 0), and each get returned the key's value (the
/// gets are of keys the branch does not put, so before and after are the same). It then puts its puts if its
/// compares hold. An Unknown Txn is stepped as if it happened: puts when its compares hold, nothing otherwise.
/// </summary>
public sealed class TxnModel : ISequentialModel<KeyMap>
{
    private readonly Dictionary<string, int> _index;

    private TxnModel(IEnumerable<string> keys)
    {
        _index = keys.Distinct().Order(StringComparer.Ordinal).Select((key, i) => (key, i)).ToDictionary(k => k.key, k => k.i);
        Initial = new KeyMap(new string?[_index.Count]);
    }

    /// <summary>Every key starts absent.</summary>
    public KeyMap Initial { get; }

    /// <summary>The model over every key the Txns of <paramref name="ops"/> compare, put or read.</summary>
    public static TxnModel For(IEnumerable<Operation> ops) =>
        new(ops.SelectMany(o => (o.Compares ?? []).Concat(o.Puts ?? []).Concat(o.Reads ?? [])).Select(k => k.Key));

    public bool Step(KeyMap state, Operation op, out KeyMap next)
    {
        if (op.Type != OpType.Txn)
        {
            throw new ArgumentOutOfRangeException(nameof(op), op.Type, "not a Txn");
        }
        next = state;
        var holds = (op.Compares ?? []).All(c => state[_index[c.Key]] == c.Value);
        if (op.Outcome == Outcome.Ok && (op.Succeeded is { } succeeded && succeeded != holds || (op.Reads ?? []).Any(r => state[_index[r.Key]] != r.Value)))
        {
            return false;
        }
        if (holds && op.Puts is { Count: > 0 } puts)
        {
            next = state.With(puts.Select(p => (_index[p.Key], p.Value!)));
        }
        return true;
    }
}
