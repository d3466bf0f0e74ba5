using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Run;
using StateStore.Jepsen.Core.Validate;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// Multi-key etcd Txns over four keys while the leader is killed and a follower paused: compares on one or two keys,
/// puts of one or two, gets of the rest, and read-only snapshots of all four, checked as one history of the whole key
/// set (<see cref="TxnModel"/>); watches atomic (a Txn's puts arrive in one response), reliable and ordered;
/// acknowledged Txns committed with all their puts at the revision they answered.
/// </summary>
public sealed class TxnWorkloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Multi_key_txns_stay_linearizable_over_the_whole_key_set_under_faults()
    {
        var result = await HarnessRuns.RunToPassAsync(HarnessRuns.KillLeaderThenPause("txn", Workload.Txn), output);

        // One group, the whole key set, searched under the Txn model.
        Assert.Equal(("t/", SearchOutcome.Linearizable), Assert.Single(result.Verdict.Linearizability.Keys) is var set ? (set.Key, set.Outcome) : default);
        var history = result.Verdict.History;
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Succeeded: true, Puts.Count: 2 });
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Succeeded: false, Reads.Count: 4 });
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Puts.Count: 0, Reads.Count: 4 });
        // A two-key Txn is one revision with two events, which every watcher received together (the atomic check).
        Assert.Contains(result.Verdict.Watches[0].Events.GroupBy(e => e.Event.Revision), g => g.Count() == 2);
    }
}
