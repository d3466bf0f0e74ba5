namespace StateStore.Raft;

/// <summary>
/// Shares read barriers between concurrent linearizable reads, as etcd batches ReadIndex requests: at
/// most one barrier round is in flight; a reader arriving during it joins the next round, which starts
/// when the current one ends. Every reader so waits for a round that began after it arrived, which is
/// all linearizability asks, and 64 concurrent reads cost about two rounds instead of 64.
/// </summary>
internal sealed class CoalescedBarrier(Func<CancellationToken, Task> round, TimeSpan roundTimeout)
{
    private readonly Lock _lock = new();
    private bool _running;
    private TaskCompletionSource? _next;

    /// <summary>Completes when a barrier round that started after this call has passed; throws what that round threw.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource joined;
        var start = false;
        lock (_lock)
        {
            joined = _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_running)
            {
                _running = start = true;
                _next = null;
            }
        }
        if (start)
        {
            _ = RunAsync(joined);
        }
        return joined.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync(TaskCompletionSource current)
    {
        while (true)
        {
            try
            {
                // A round is shared, so no one reader's token may cancel it; it has its own deadline.
                using var deadline = new CancellationTokenSource(roundTimeout);
                await round(deadline.Token).ConfigureAwait(false);
                current.TrySetResult();
            }
            catch (Exception e)
            {
                current.TrySetException(e);
                _ = current.Task.Exception; // observed: every reader may have given up already
            }
            lock (_lock)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }
                current = _next;
                _next = null;
            }
        }
    }
}
