using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;

namespace StateStore.Raft.Transport;

/// <summary>
/// A connection's pipe that remembers since when a request it sent has gone unanswered: a flush starts the
/// clock, any byte read back stops it. The pipe only delegates (no copy), so the peer link costs what the
/// socket's own pipe costs. <see cref="PeerConnections"/> reads the clock to end votes a silent peer would hold.
/// </summary>
internal sealed class WatchedPipe : IDuplexPipe
{
    private long _sentAt; // Stopwatch timestamp of the first flush not yet answered; 0 when nothing is outstanding
    private long _unansweredBytes; // bytes written since the last byte read back

    public WatchedPipe(IDuplexPipe inner)
    {
        Input = new Reader(inner.Input, this);
        Output = new Writer(inner.Output, this);
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>How long the oldest unanswered request has waited; zero when none waits.</summary>
    public TimeSpan Unanswered
    {
        get
        {
            var sent = Volatile.Read(ref _sentAt);
            return sent == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(sent);
        }
    }

    /// <summary>Bytes written since the peer last answered: a heartbeat or vote is small, a batch or snapshot is not.</summary>
    public long UnansweredBytes => Volatile.Read(ref _unansweredBytes);

    private void Sent() => Interlocked.CompareExchange(ref _sentAt, Stopwatch.GetTimestamp(), 0);

    private void Written(long bytes) => Interlocked.Add(ref _unansweredBytes, bytes);

    private void Answered()
    {
        Volatile.Write(ref _sentAt, 0);
        Volatile.Write(ref _unansweredBytes, 0);
    }

    private sealed class Reader(PipeReader inner, WatchedPipe pipe) : PipeReader
    {
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (!result.Buffer.IsEmpty)
            {
                pipe.Answered();
            }
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
            {
                return false;
            }
            if (!result.Buffer.IsEmpty)
            {
                pipe.Answered();
            }
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    private sealed class Writer(PipeWriter inner, WatchedPipe pipe) : PipeWriter
    {
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            pipe.Sent();
            return inner.FlushAsync(cancellationToken);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            pipe.Written(source.Length);
            pipe.Sent();
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void Advance(int bytes)
        {
            pipe.Written(bytes);
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
