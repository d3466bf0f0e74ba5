using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace StateStore.EtcdApi.Http2;

/// <summary>
/// A connection's transport with the client → server side passed through <see cref="Http2AuthorityFilter"/>
/// before Kestrel reads it; the server → client side is untouched.
/// </summary>
internal sealed class AuthorityFixingTransport : IDuplexPipe, IAsyncDisposable
{
    private readonly IDuplexPipe _inner;
    private readonly ILogger _logger;
    private readonly Pipe _filtered = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Task _pumping;

    public AuthorityFixingTransport(IDuplexPipe inner, ILogger logger)
    {
        _inner = inner;
        _logger = logger;
        _pumping = PumpAsync();
    }

    public PipeReader Input => _filtered.Reader;

    public PipeWriter Output => _inner.Output;

    private async Task PumpAsync()
    {
        var filter = new Http2AuthorityFilter((original, rewritten) => Log.AuthorityRewritten(_logger, original, rewritten));
        Exception? failure = null;
        try
        {
            while (true)
            {
                var read = await _inner.Input.ReadAsync().ConfigureAwait(false);
                SequencePosition consumed;
                try
                {
                    consumed = filter.Process(read.Buffer, _filtered.Writer);
                }
                catch (InvalidDataException e)
                {
                    Log.AuthorityRewriteStopped(_logger, e.Message);
                    consumed = read.Buffer.End;
                }
                _inner.Input.AdvanceTo(consumed, read.Buffer.End);
                var flushed = await _filtered.Writer.FlushAsync().ConfigureAwait(false);
                if (read.IsCompleted || read.IsCanceled || flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        await _filtered.Writer.CompleteAsync(failure).ConfigureAwait(false);
        await _inner.Input.CompleteAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _inner.Input.CancelPendingRead();
        await _pumping.ConfigureAwait(false);
    }
}
