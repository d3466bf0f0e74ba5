using System.Runtime.InteropServices;
using FASTER.core;

namespace StateStore.Storage.Faster;

/// <summary>
/// The FASTER key of one stored version: the revision of the write transaction and the position of
/// the change inside it (etcd's revision{main, sub}). Ordered by main, then sub.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct RevisionKey(long Main, long Sub) : IComparable<RevisionKey>
{
    public int CompareTo(RevisionKey other) => Main != other.Main ? Main.CompareTo(other.Main) : Sub.CompareTo(other.Sub);

    public static bool operator <(RevisionKey a, RevisionKey b) => a.CompareTo(b) < 0;

    public static bool operator >(RevisionKey a, RevisionKey b) => a.CompareTo(b) > 0;

    public static bool operator <=(RevisionKey a, RevisionKey b) => a.CompareTo(b) <= 0;

    public static bool operator >=(RevisionKey a, RevisionKey b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Main}.{Sub}";
}

/// <summary>FASTER's hash and equality for <see cref="RevisionKey"/> (the default would hash poorly).</summary>
internal sealed class RevisionKeyComparer : IFasterEqualityComparer<RevisionKey>
{
    public static readonly RevisionKeyComparer Instance = new();

    public long GetHashCode64(ref RevisionKey k) => Utility.GetHashCode(k.Main) ^ (Utility.GetHashCode(k.Sub) * 31);

    public bool Equals(ref RevisionKey k1, ref RevisionKey k2) => k1.Main == k2.Main && k1.Sub == k2.Sub;
}
