using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Traffic;

namespace StateStore.Jepsen.Core.Validate;

/// <summary>
/// What a lease revoke does to its keys together, read from the committed history for the lease workload's keys
/// (<see cref="LeaseClient"/>: keys <c>l/&lt;lease&gt;/kJ</c>, a revoke recorded as one delete per key): a lease's keys
/// are deleted at one revision (lease-atomic); once a revoke answered, every key put with the lease is deleted, at
/// the revision the revoke answered (lease-revoked); no key of a lease is deleted unless a revoke of it was sent
/// (lease-expired: the TTL is far longer than a run). That no read after a revoke returns one of its keys, and that
/// acknowledged puts are kept, are the linearizability and acknowledged-write checks'.
/// </summary>
public static class LeaseChecker
{
    public static IReadOnlyList<Violation> Check(IReadOnlyList<Operation> history, IReadOnlyList<WatchEvent> committed)
    {
        var revokes = history.Where(o => o.Type == OpType.Delete && o.Key.StartsWith(LeaseClient.Prefix, StringComparison.Ordinal))
            .GroupBy(o => LeaseClient.LeaseOf(o.Key)).ToDictionary(g => g.Key, g => g.ToList());
        var violations = new List<Violation>();
        foreach (var lease in committed.Where(e => e.Key.StartsWith(LeaseClient.Prefix, StringComparison.Ordinal)).GroupBy(e => LeaseClient.LeaseOf(e.Key)))
        {
            var deletes = lease.Where(e => e.Delete).ToList();
            var revisions = deletes.Select(e => e.Revision).Distinct().ToList();
            var revoke = revokes.GetValueOrDefault(lease.Key);
            if (deletes.Count > 0 && revoke is null)
            {
                violations.Add(new("lease-expired", $"lease {lease.Key:x} lost its keys ({string.Join(", ", deletes)}) though no revoke of it was sent and its TTL is {LeaseClient.Ttl}"));
            }
            if (revisions.Count > 1)
            {
                violations.Add(new("lease-atomic", $"the keys of lease {lease.Key:x} were deleted at {revisions.Count} revisions: {string.Join(", ", deletes)}"));
            }
            if (revoke?.FirstOrDefault(o => o.Outcome == Outcome.Ok) is { } answered)
            {
                var deleted = deletes.Select(e => e.Key).ToHashSet();
                foreach (var key in lease.Where(e => !e.Delete).Select(e => e.Key).Distinct().Where(k => !deleted.Contains(k)))
                {
                    violations.Add(new("lease-revoked", $"{key} is still there after the revoke of lease {lease.Key:x} answered at revision {answered.Revision}", revoke));
                }
                foreach (var late in deletes.Where(e => e.Revision != answered.Revision))
                {
                    violations.Add(new("lease-revoked", $"{late}, but the revoke of lease {lease.Key:x} answered revision {answered.Revision}", revoke));
                }
            }
        }
        return violations;
    }
}
