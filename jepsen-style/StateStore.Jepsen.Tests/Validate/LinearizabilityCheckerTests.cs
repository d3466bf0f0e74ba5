using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Validate;
using StateStore.Jepsen.Tests.Model;

namespace StateStore.Jepsen.Tests.Validate;

public sealed class LinearizabilityCheckerTests
{
    private static SearchOutcome Check(Histories h) => LinearizabilitySearch.Check(h.Ops).Outcome;

    [Fact]
    public void A_sequential_register_history_is_linearizable()
    {
        var h = new Histories().Read(0, "x", null, 0, 1).Write(0, "x", "a", 2, 3).Read(1, "x", "a", 4, 5)
            .Cas(1, "x", "a", "b", true, 6, 7).Cas(0, "x", "a", "c", false, 8, 9).Read(0, "x", "b", 10, 11);
        Assert.Equal(SearchOutcome.Linearizable, Check(h));
    }

    [Fact]
    public void Concurrent_writes_linearize_in_the_one_order_later_reads_allow()
    {
        // b must take effect before a: the read after both sees a, then never b.
        var h = new Histories().Write(0, "x", "a", 0, 10).Write(1, "x", "b", 5, 15).Read(2, "x", "a", 16, 17).Read(2, "x", "a", 18, 19);
        Assert.Equal(SearchOutcome.Linearizable, Check(h));
        // No single order explains a then b then a again.
        h.Read(2, "x", "b", 20, 21);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(h));
    }

    [Fact]
    public void A_read_concurrent_with_a_write_may_see_either_value()
    {
        var h = new Histories().Write(0, "x", "a", 0, 1).Write(1, "x", "b", 2, 10).Read(2, "x", "a", 3, 4).Read(3, "x", "b", 5, 6).Read(2, "x", "b", 11, 12);
        Assert.Equal(SearchOutcome.Linearizable, Check(h));
    }

    [Fact]
    public void A_stale_read_is_not_linearizable()
    {
        var h = new Histories().Write(0, "x", "a", 0, 1).Write(1, "x", "b", 2, 3).Read(2, "x", "a", 4, 5);
        var result = LinearizabilitySearch.Check(h.Ops);
        Assert.Equal(SearchOutcome.NotLinearizable, result.Outcome);
        Assert.Equal(OpType.Read, result.Stuck!.Type);
    }

    [Fact]
    public void A_lost_acknowledged_write_is_not_linearizable()
    {
        var h = new Histories().Write(0, "x", "a", 0, 1).Read(1, "x", null, 2, 3);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(h));
    }

    [Fact]
    public void Two_compare_and_sets_from_the_same_value_cannot_both_succeed()
    {
        var h = new Histories().Write(0, "x", "a", 0, 1).Cas(1, "x", "a", "b", true, 2, 10).Cas(2, "x", "a", "c", true, 3, 11);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(h));
    }

    [Fact]
    public void A_compare_that_failed_while_the_value_matched_is_not_linearizable()
    {
        var h = new Histories().Write(0, "x", "a", 0, 1).Cas(1, "x", "a", "b", false, 2, 3);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(h));
        // Compared against a missing key, as etcd does, the compare fails.
        Assert.Equal(SearchOutcome.Linearizable, Check(new Histories().Cas(1, "y", "a", "b", false, 0, 1)));
    }

    [Fact]
    public void An_unknown_write_may_take_effect_late_or_never()
    {
        var late = new Histories().Write(0, "x", "a", 0, null).Read(1, "x", null, 1, 2).Read(1, "x", "a", 30, 31);
        Assert.Equal(SearchOutcome.Linearizable, Check(late));
        var never = new Histories().Write(0, "x", "a", 0, 1).Write(1, "x", "b", 2, null).Read(2, "x", "a", 3, 4).Read(2, "x", "a", 50, 51);
        Assert.Equal(SearchOutcome.Linearizable, Check(never));
        var unknownCas = new Histories().Write(0, "x", "a", 0, 1).Cas(1, "x", "a", "b", null, 2, null).Read(2, "x", "b", 5, 6);
        Assert.Equal(SearchOutcome.Linearizable, Check(unknownCas));
    }

    [Fact]
    public void An_unknown_write_nobody_read_may_still_explain_a_failed_compare()
    {
        var h = new Histories().Write(0, "x", "a", 0, 1).Write(1, "x", "b", 2, null).Cas(2, "x", "a", "c", false, 5, 6);
        Assert.Equal(SearchOutcome.Linearizable, Check(h));
    }

    [Fact]
    public void An_unknown_write_seen_by_a_read_happened_before_that_read_answered()
    {
        // Seen at 3..4, so it cannot wait until after the write at 10..11.
        var h = new Histories().Write(0, "x", "a", 0, null).Read(1, "x", "a", 3, 4).Write(2, "x", "b", 10, 11).Read(1, "x", "b", 12, 13);
        Assert.Equal(SearchOutcome.Linearizable, Check(h));
        h.Read(1, "x", "a", 14, 15);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(h));
    }

    [Fact]
    public void An_unknown_write_cannot_be_undone_once_seen()
    {
        var h = new Histories().Write(0, "x", "a", 0, null).Read(1, "x", "a", 1, 2).Read(1, "x", null, 3, 4);
        Assert.Equal(SearchOutcome.NotLinearizable, Check(h));
    }

    [Fact]
    public void Failed_reads_and_writes_do_not_constrain_the_history()
    {
        var ops = new Histories().Write(0, "x", "a", 0, 1).Ops
            .Append(new Operation { Id = 9, Process = 1, Type = OpType.Read, Key = "x", InvokeNs = 2_000_000, CompleteNs = 3_000_000, Outcome = Outcome.Fail })
            .ToList();
        Assert.Equal(SearchOutcome.Linearizable, LinearizabilitySearch.Check(ops).Outcome);
    }

    [Fact]
    public void Keys_are_checked_apart_and_only_the_bad_one_is_reported()
    {
        var h = new Histories().Write(0, "x", "a", 0, 1).Write(0, "y", "a", 0, 1).Write(1, "x", "b", 2, 3).Read(2, "x", "a", 4, 5).Read(2, "y", "a", 4, 5);
        var result = LinearizabilityChecker.Check(h.Ops);
        Assert.Equal(["x", "y"], result.Keys.Select(k => k.Key));
        Assert.Equal("x", Assert.Single(result.Violations).Key);
    }

    [Fact]
    public void The_failing_sub_history_is_the_few_ops_around_the_violation()
    {
        var h = new Histories();
        for (var i = 0; i < 60; i++)
        {
            h.Write(i % 3, "x", $"v{i}", 10 * i, 10 * i + 4).Read((i + 1) % 3, "x", $"v{i}", 10 * i + 5, 10 * i + 8);
        }
        h.Write(0, "x", "last", 700, 704).Read(1, "x", "v59", 705, 706); // stale
        h.Read(2, "x", "last", 720, 721);
        var verdict = Assert.Single(LinearizabilityChecker.Check(h.Ops).Violations);
        Assert.Equal(OpType.Read, verdict.Stuck!.Type);
        Assert.Equal("v59", verdict.Stuck.Value);
        // The write of v59, the write that replaced it, and the stale read: nothing else is needed to fail.
        Assert.Equal(["write v59", "write last", "read v59"], verdict.FailingSubHistory.Select(o => $"{o.Type.ToString().ToLowerInvariant()} {o.Value}"));
        Assert.Equal(SearchOutcome.NotLinearizable, LinearizabilitySearch.Check(verdict.FailingSubHistory).Outcome);
    }

    [Fact]
    public void Many_concurrent_unknown_writes_are_decided_within_the_budget()
    {
        var h = new Histories();
        for (var i = 0; i < 12; i++)
        {
            h.Write(i, "x", $"u{i}", i, null);
        }
        for (var i = 0; i < 40; i++)
        {
            h.Write(100, "x", $"w{i}", 100 + 10 * i, 104 + 10 * i).Read(101, "x", $"w{i}", 105 + 10 * i, 108 + 10 * i);
        }
        h.Read(101, "x", "u3", 600, 601);
        Assert.Equal(SearchOutcome.Linearizable, Check(h));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Simulated_correct_histories_are_linearizable_and_one_stale_read_makes_them_not(int seed)
    {
        var (history, committed) = SimulatedRegister.Generate(seed, clients: 4, opsPerClient: 1500);
        Assert.Equal(SearchOutcome.Linearizable, LinearizabilitySearch.Check(history).Outcome);
        Assert.Equal(SearchOutcome.Linearizable, LinearizabilitySearch.Check(CommittedPatch.Apply(history, committed)).Outcome);

        // A read after two writes, each begun after the other completed, that answers the older value.
        var writes = history.Where(o => o is { Type: OpType.Write, Outcome: Outcome.Ok }).ToList();
        var older = writes[writes.Count / 2];
        var newer = writes.First(w => w.InvokeNs > older.CompleteNs);
        var read = history.First(o => o is { Type: OpType.Read, Outcome: Outcome.Ok } && o.InvokeNs > newer.CompleteNs && o.Value != older.Value);
        var stale = history.Select(o => o == read ? o with { Value = older.Value } : o).ToList();
        // Refuting must rule out every placement of the Unknown writes; the committed history says which happened.
        var verdict = Assert.Single(LinearizabilityChecker.Check(CommittedPatch.Apply(stale, committed)).Violations);
        Assert.Equal(read.Id, verdict.Stuck!.Id);
        // Deep in a long history the witness may stay the whole prefix (a cut that drops earlier writes makes an
        // earlier op fail instead); it always holds the stale read and always fails.
        Assert.Contains(verdict.FailingSubHistory, o => o.Id == read.Id);
        Assert.Equal(SearchOutcome.NotLinearizable, LinearizabilitySearch.Check(verdict.FailingSubHistory).Outcome);
    }
}
