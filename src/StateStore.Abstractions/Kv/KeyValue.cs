namespace StateStore.Kv;

/// <summary>
/// One version of a key, as etcd's <c>mvccpb.KeyValue</c>: the revision that created the key's
/// current generation, the revision of this modification, the number of modifications since
/// creation, and the lease it is attached to (0 for none). Byte arrays are never mutated.
/// </summary>
public sealed record KeyValue(byte[] Key, byte[] Value, long CreateRevision, long ModRevision, long Version, long Lease)
{
    /// <summary>Value equality over bytes (records compare arrays by reference otherwise).</summary>
    public bool Equals(KeyValue? other) =>
        other is not null
        && CreateRevision == other.CreateRevision
        && ModRevision == other.ModRevision
        && Version == other.Version
        && Lease == other.Lease
        && Key.AsSpan().SequenceEqual(other.Key)
        && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => HashCode.Combine(ModRevision, Version, Key.Length, Value.Length);

    public override string ToString() =>
        $"{Bytes.Show(Key)}={Bytes.Show(Value)} (create {CreateRevision}, mod {ModRevision}, v{Version}, lease {Lease})";
}
