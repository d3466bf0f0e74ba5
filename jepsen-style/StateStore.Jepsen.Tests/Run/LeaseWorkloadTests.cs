using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Run;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// Leases under faults: 4 clients grant leases, put two keys with each (a KeepAlive after each put), read keys any
/// client put lately, and revoke, while the leader is killed and a follower paused; then the lease checks (a revoke
/// deletes all its keys at the revision it answered, nothing expires on its own) with every other check.
/// </summary>
public sealed class LeaseWorkloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Revoked_leases_take_their_keys_at_one_revision_and_no_read_sees_them_after_under_faults()
    {
        var result = await HarnessRuns.RunToPassAsync(HarnessRuns.KillLeaderThenPause("leases", Workload.Leases), output);

        var history = result.Verdict.History;
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Type: OpType.Delete });
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Type: OpType.Read, Value: not null });
        // A revoke of two keys is one revision with two delete events.
        Assert.Contains(result.Verdict.Watches[0].Events.Where(e => e.Event.Delete).GroupBy(e => e.Event.Revision), g => g.Count() == 2);
    }
}
