using System.Collections.Concurrent;
using System.Diagnostics;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace StateStore.Integration.Tests.Harness;

/// <summary>
/// A put the cluster acknowledged: key, value, the revision the answer named, when the acknowledged attempt
/// was sent and when its answer came (both since the workload began).
/// </summary>
public sealed record AcknowledgedWrite(string Key, string Value, long Revision, TimeSpan Sent, TimeSpan At);

public sealed record WriterOptions
{
    /// <summary>Concurrent writer tasks; task i starts on target i mod the number of targets.</summary>
    public int Tasks { get; init; } = 6;

    /// <summary>The gRPC deadline of one attempt: a paused member must not hold a writer for long.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long one put may keep failing before its task gives up and reports it.</summary>
    public TimeSpan PutBudget { get; init; } = TimeSpan.FromSeconds(30);

    public string Prefix { get; init; } = "w/";
}

/// <summary>
/// Continuous writes, as a client of a real cluster sees them: each task puts keys <c>w/TT/NNNNNN</c> one
/// after another (so a key is written by one task only, always with the same value), retrying a put that
/// failed for want of a leader, a member or a connection on the next target after a short backoff, and
/// records every acknowledged put. A put that is not acknowledged is not recorded, whatever became of it.
/// </summary>
public sealed class Writer : IAsyncDisposable
{
    private static readonly HashSet<StatusCode> Retryable =
        [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Internal, StatusCode.Unknown, StatusCode.Aborted, StatusCode.Cancelled];

    private readonly IReadOnlyList<ServerProcess> _targets;
    private readonly WriterOptions _options;
    private readonly CancellationTokenSource _stop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<AcknowledgedWrite> _acknowledged = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _retries = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly Task[] _tasks;
    private int _count;

    private Writer(IReadOnlyList<ServerProcess> targets, WriterOptions options, CancellationToken cancellationToken)
    {
        // A copy: the caller's list may change (a cluster's members after a membership change).
        _targets = [.. targets];
        _options = options;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _tasks = Enumerable.Range(0, options.Tasks).Select(task => Task.Run(() => WriteAsync(task))).ToArray();
    }

    /// <summary>Starts writing to <paramref name="targets"/> until <see cref="StopAsync"/> or <paramref name="cancellationToken"/>.</summary>
    public static Writer Start(IReadOnlyList<ServerProcess> targets, CancellationToken cancellationToken, WriterOptions? options = null) =>
        new(targets, options ?? new WriterOptions(), cancellationToken);

    /// <summary>Time since the workload began, on the clock of <see cref="AcknowledgedWrite.At"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Puts acknowledged so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Waits until <paramref name="count"/> puts in all have been acknowledged.</summary>
    public async Task WaitForCountAsync(int count, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        while (Count < count && !deadline.IsCancellationRequested)
        {
            if (_tasks.All(t => t.IsCompleted))
            {
                break;
            }
            await Task.Delay(20, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (Count < count)
        {
            throw new TimeoutException($"{Count} of {count} puts acknowledged within {timeout ?? TimeSpan.FromSeconds(30)}; {Report()}");
        }
    }

    /// <summary>Stops every task (in-flight puts are abandoned, not recorded) and returns what was acknowledged.</summary>
    public async Task<WriteReport> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
        return Report();
    }

    private WriteReport Report() =>
        new([.. _acknowledged.OrderBy(w => w.At)], [.. _failures], new Dictionary<string, int>(_retries));

    private async Task WriteAsync(int task)
    {
        var target = task % _targets.Count;
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var key = $"{_options.Prefix}{task:D2}/{n:D6}";
            var value = $"{task}:{n}:{_run}";
            var budget = Stopwatch.StartNew();
            var lastError = "";
            for (var attempt = 0; ; attempt++)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                if (budget.Elapsed > _options.PutBudget)
                {
                    _failures.Enqueue($"{key}: not acknowledged within {_options.PutBudget} ({attempt} attempts; last: {lastError})");
                    return;
                }
                var sent = _clock.Elapsed;
                try
                {
                    var response = await _targets[target].Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) },
                        deadline: DateTime.UtcNow + _options.AttemptTimeout, cancellationToken: _stop.Token);
                    _acknowledged.Enqueue(new AcknowledgedWrite(key, value, response.Header.Revision, sent, _clock.Elapsed));
                    Interlocked.Increment(ref _count);
                    break;
                }
                catch (RpcException e) when (Retryable.Contains(e.StatusCode) || _stop.IsCancellationRequested)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                    lastError = $"{_targets[target].Name}: {e.StatusCode} {e.Status.Detail}";
                    _retries.AddOrUpdate(e.StatusCode.ToString(), 1, (_, c) => c + 1);
                    target = (target + 1) % _targets.Count;
                    await Task.Delay(Math.Min(50 << Math.Min(attempt, 4), 500), _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                catch (RpcException e)
                {
                    _failures.Enqueue($"{key}: {_targets[target].Name} answered {e.StatusCode} {e.Status.Detail}, which a retry cannot fix");
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

/// <summary>What a <see cref="Writer"/> saw: the acknowledged puts in acknowledgement order, puts it gave up on, and retries by status.</summary>
public sealed record WriteReport(IReadOnlyList<AcknowledgedWrite> Acknowledged, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, int> Retries)
{
    /// <summary>The longest time between two consecutive acknowledgements, and when it ended.</summary>
    public (TimeSpan Gap, TimeSpan EndedAt) LongestGap() =>
        Acknowledged.Zip(Acknowledged.Skip(1), (a, b) => (Gap: b.At - a.At, EndedAt: b.At)).DefaultIfEmpty().MaxBy(g => g.Gap);

    /// <summary>Puts sent after <paramref name="at"/> and acknowledged: the cluster took new writes then (an answer to an earlier put may only have been on its way).</summary>
    public IReadOnlyList<AcknowledgedWrite> SentAndAcknowledgedAfter(TimeSpan at) => Acknowledged.Where(w => w.Sent > at).ToList();

    public override string ToString()
    {
        var (gap, endedAt) = LongestGap();
        var retries = Retries.Count == 0 ? "none" : string.Join(", ", Retries.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}"));
        return $"{Acknowledged.Count} puts acknowledged; longest gap {gap.TotalMilliseconds:F0} ms (ended at {endedAt.TotalSeconds:F1} s); retries: {retries}; failures: {Failures.Count}"
            + string.Concat(Failures.Take(5).Select(f => "\n  " + f));
    }
}
