using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Validate;
using StateStore.Jepsen.Tests.Model;

namespace StateStore.Jepsen.Tests.Validate;

/// <summary>The multi-key Txn model, searched over the whole key set, on histories whose verdict is known.</summary>
public sealed class TxnCheckerTests
{
    private static SearchOutcome Check(Histories h) => Assert.Single(LinearizabilityChecker.Check(h.Ops).Keys).Outcome;

    [Fact]
    public void A_sequential_txn_history_is_linearizable()
    {
        var h = new Histories()
            .Txn(0, "", "k0=a k1=b", true, "k2=nil", 0, 1)
            .Txn(1, "", "", true, "k0=a k1=b k2=nil", 2, 3)
            .Txn(0, "k0=a k2=nil", "k2=c", true, "k0=a k1=b", 4, 5)
            .Txn(1, "k1=nil", "k0=d", false, "k0=a k1=b k2=c", 6, 7)
            .Txn(1, "", "", true, "k0=a k1=b k2=c", 8, 9);
        Assert.Equal(SearchOutcome.Linearizable, Check(h));
    }

    [Fact]
    public void A_torn_snapshot_is_not_linearizable_though_each_key_alone_is()
    {
        // The read sees the second txn's k0 with the first txn's k1: no single point of the whole set had both.
        var h = new Histories()
            .Txn(0, "", "k0=a1 k1=b1", true, "", 0, 1)
            .Txn(0, "", "k0=a2 k1=b2", true, "", 2, 10)
            .Txn(1, "", "", true, "k0=a2 k1=b1", 3, 11);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(h));
        // Each key's own history is a linearizable register: only the model of the whole set catches it.
        foreach (var key in (string[])["k0", "k1"])
        {
            var projected = h.Ops.Select(o => new Operation
            {
                Id = o.Id, Process = o.Process, Key = key, InvokeNs = o.InvokeNs, CompleteNs = o.CompleteNs, Outcome = o.Outcome,
                Type = o.Puts!.Count > 0 ? OpType.Write : OpType.Read,
                Value = o.Puts!.Concat(o.Reads!).First(k => k.Key == key).Value,
            }).ToList();
            Assert.Equal(SearchOutcome.Linearizable, LinearizabilitySearch.Check(projected).Outcome);
        }
    }

    [Fact]
    public void Compares_decide_success_and_two_txns_cannot_win_the_same_compare()
    {
        var twice = new Histories().Txn(0, "", "k0=a", true, "k1=nil", 0, 1)
            .Txn(1, "k0=a", "k0=b", true, "k1=nil", 2, 10).Txn(2, "k0=a", "k0=c", true, "k1=nil", 3, 11);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(twice));
        var failedThough = new Histories().Txn(0, "", "k0=a", true, "k1=nil", 0, 1).Txn(1, "k0=a k1=nil", "k1=b", false, "k0=a k1=nil", 2, 3);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(failedThough));
        var succeededThough = new Histories().Txn(0, "", "k0=a", true, "k1=nil", 0, 1).Txn(1, "k0=x", "k1=b", true, "k0=a", 2, 3);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(succeededThough));
    }

    [Fact]
    public void An_unknown_txn_takes_effect_whole_or_not_at_all()
    {
        var whole = new Histories().Txn(0, "", "k0=a k1=b", null, null, 0, null).Txn(1, "", "", true, "k0=a k1=b", 5, 6);
        Assert.Equal(SearchOutcome.Linearizable, Check(whole));
        var never = new Histories().Txn(0, "", "k0=a k1=b", null, null, 0, null).Txn(1, "", "", true, "k0=nil k1=nil", 5, 6);
        Assert.Equal(SearchOutcome.Linearizable, Check(never));
        var half = new Histories().Txn(0, "", "k0=a k1=b", null, null, 0, null).Txn(1, "", "", true, "k0=a k1=nil", 5, 6);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(half));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Simulated_correct_txn_histories_are_linearizable_and_one_torn_snapshot_makes_them_not(int seed)
    {
        var history = SimulatedTxns.Generate(seed, clients: 4, opsPerClient: 500);
        Assert.Contains(history, o => o is { Succeeded: true, Puts.Count: 2 });
        Assert.Contains(history, o => o is { Succeeded: false });
        Assert.Equal(SearchOutcome.Linearizable, Assert.Single(LinearizabilityChecker.Check(history).Keys).Outcome);

        // A read-only snapshot, late in the history, that answers one key's value from before a Txn that completed before the snapshot began.
        var snapshot = history.Last(o => o.Puts!.Count == 0 && o.Reads!.All(r => r.Value is not null));
        var older = history.Last(o => o is { Succeeded: true } && o.Puts!.Count > 0 && o.CompleteNs < snapshot.InvokeNs
            && history.Any(newer => newer is { Succeeded: true } && newer.InvokeNs > o.CompleteNs && newer.CompleteNs < snapshot.InvokeNs && newer.Puts!.Any(p => p.Key == o.Puts![0].Key)));
        var torn = snapshot with { Reads = [.. snapshot.Reads!.Select(r => r.Key == older.Puts![0].Key ? older.Puts[0] : r)] };
        var verdict = Assert.Single(LinearizabilityChecker.Check([.. history.Select(o => o.Id == snapshot.Id ? torn : o)]).Violations);
        Assert.Contains(verdict.FailingSubHistory, o => o.Id == snapshot.Id);
    }

    [Fact]
    public void The_committed_history_decides_an_unknown_txn_and_the_witness_keeps_the_torn_read()
    {
        var h = new Histories();
        for (var i = 0; i < 30; i++)
        {
            h.Txn(i % 2, "", $"k0=a{i} k1=b{i}", true, "k2=nil", 10 * i, 10 * i + 4).Txn(2, "", "", true, $"k0=a{i} k1=b{i} k2=nil", 10 * i + 5, 10 * i + 8);
        }
        h.Txn(3, "k0=a29", "k2=c", null, null, 300, null).Txn(2, "", "", true, "k0=a29 k1=b28 k2=nil", 305, 306);
        IReadOnlyList<WatchEvent> committed = [new WatchEvent(61, "k2", false, "c")];
        var verdict = Assert.Single(LinearizabilityChecker.Check(CommittedPatch.Apply(h.Ops, committed)).Violations);
        Assert.Equal("t/", verdict.Key);
        Assert.Equal(h.Ops[^1].Id, verdict.Stuck!.Id);
        Assert.Contains(verdict.FailingSubHistory, o => o.Id == h.Ops[^1].Id);
        Assert.True(verdict.FailingSubHistory.Count <= 4, string.Join("\n", verdict.FailingSubHistory));
    }
}
