using StateStore.Testing;

namespace StateStore.Raft.Tests;

/// <summary>Shared read-barrier rounds: a reader never passes on a round that started before it arrived.</summary>
public sealed class CoalescedBarrierTests
{
    private readonly CancellationToken _ct = TestTimeout.Token(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Readers_arriving_during_a_round_wait_for_the_next_one_and_share_it()
    {
        var rounds = new List<TaskCompletionSource>();
        var barrier = new CoalescedBarrier(_ =>
        {
            var round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (rounds)
            {
                rounds.Add(round);
            }
            return round.Task;
        }, TimeSpan.FromSeconds(30));

        var first = barrier.WaitAsync(_ct);
        var second = barrier.WaitAsync(_ct);
        var third = barrier.WaitAsync(_ct);
        Assert.Single(rounds);

        rounds[0].SetResult();
        await first;
        Assert.False(second.IsCompleted); // arrived while round 1 was in flight
        await WaitUntilAsync(() => rounds.Count == 2);

        rounds[1].SetResult();
        await Task.WhenAll(second, third);
        Assert.Equal(2, rounds.Count);
    }

    [Fact]
    public async Task A_failed_round_fails_its_readers_and_the_next_reader_gets_a_fresh_round()
    {
        var calls = 0;
        var barrier = new CoalescedBarrier(_ => Interlocked.Increment(ref calls) == 1
            ? Task.FromException(new InvalidOperationException("no quorum"))
            : Task.CompletedTask, TimeSpan.FromSeconds(30));

        await Assert.ThrowsAsync<InvalidOperationException>(() => barrier.WaitAsync(_ct));
        await barrier.WaitAsync(_ct);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_reader_that_gives_up_does_not_cancel_the_round_for_the_others()
    {
        var round = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var barrier = new CoalescedBarrier(_ => round.Task, TimeSpan.FromSeconds(30));
        using var impatient = new CancellationTokenSource();
        var leaving = barrier.WaitAsync(impatient.Token);
        var staying = barrier.WaitAsync(_ct);

        impatient.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        round.SetResult();
        await staying;
    }

    private async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5, _ct);
        }
    }
}
