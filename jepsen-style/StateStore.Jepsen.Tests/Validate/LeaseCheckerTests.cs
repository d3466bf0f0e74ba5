using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Validate;
using StateStore.Jepsen.Tests.Model;

namespace StateStore.Jepsen.Tests.Validate;

/// <summary>The lease checks on committed histories whose verdict is known: lease a1 has keys l/a1/k0 and l/a1/k1, put at revisions 2 and 3.</summary>
public sealed class LeaseCheckerTests
{
    private const string K0 = "l/a1/k0";
    private const string K1 = "l/a1/k1";

    /// <summary>The revoke as the lease client records it: a delete of each key, answered at <paramref name="revision"/>.</summary>
    private static List<Operation> Revoke(long revision) =>
        [.. new Histories().Delete(0, K0, null, 10, 11).Delete(0, K1, null, 10, 11).Ops.Select(o => o with { Revision = revision })];

    private static List<WatchEvent> Puts() => [new(2, K0, false, "0-0"), new(3, K1, false, "0-1")];

    private static HashSet<string> Failed(IReadOnlyList<Operation> history, IEnumerable<WatchEvent> committed) =>
        LeaseChecker.Check(history, [.. committed]).Select(v => v.Check).ToHashSet();

    [Fact]
    public void A_revoke_that_deletes_every_key_at_its_revision_passes()
    {
        Assert.Empty(Failed(Revoke(4), [.. Puts(), new(4, K0, true, null), new(4, K1, true, null)]));
        // Keys of a lease nobody revoked stay, and that is fine.
        Assert.Empty(Failed([], Puts()));
    }

    [Fact]
    public void Keys_of_one_lease_deleted_at_two_revisions_fail_lease_atomic()
    {
        Assert.Contains("lease-atomic", Failed(Revoke(5), [.. Puts(), new(4, K0, true, null), new(5, K1, true, null)]));
    }

    [Fact]
    public void A_key_left_after_an_answered_revoke_or_deleted_at_another_revision_fails_lease_revoked()
    {
        Assert.Equal(["lease-revoked"], Failed(Revoke(4), [.. Puts(), new(4, K0, true, null)]));
        Assert.Equal(["lease-revoked"], Failed(Revoke(6), [.. Puts(), new(4, K0, true, null), new(4, K1, true, null)]));
        // An unknown revoke may not have happened: its keys may stay.
        var unknown = Revoke(0).Select(o => o with { Outcome = Outcome.Unknown, CompleteNs = null }).ToList();
        Assert.Empty(Failed(unknown, Puts()));
    }

    [Fact]
    public void Keys_deleted_with_no_revoke_sent_fail_lease_expired()
    {
        Assert.Equal(["lease-expired"], Failed([], [.. Puts(), new(4, K0, true, null), new(4, K1, true, null)]));
    }

    [Fact]
    public void A_read_of_a_key_after_its_lease_was_revoked_is_not_linearizable()
    {
        var h = new Histories().Write(1, K0, "0-0", 0, 1).Delete(0, K0, null, 10, 11);
        Assert.Equal(SearchOutcome.Linearizable, LinearizabilitySearch.Check(h.Read(2, K0, null, 12, 13).Ops).Outcome);
        Assert.Equal(SearchOutcome.NotLinearizable, LinearizabilitySearch.Check(h.Read(2, K0, "0-0", 14, 15).Ops).Outcome);
    }
}
