using Etcdserverpb;
using Grpc.Core;

namespace StateStore.EtcdApi.Tests.Infrastructure;

/// <summary>One Watch call driven by hand: send requests, read responses with a deadline.</summary>
public sealed class WatchSession : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<WatchRequest, WatchResponse> _call;
    private readonly CancellationToken _timeout;
    private Task<bool>? _pendingRead;

    public WatchSession(Watch.WatchClient client, CancellationToken timeout)
    {
        _timeout = timeout;
        _call = client.Watch(cancellationToken: timeout);
    }

    public Task SendAsync(WatchRequest request) => _call.RequestStream.WriteAsync(request, _timeout);

    public Task CreateAsync(WatchCreateRequest create) => SendAsync(new WatchRequest { CreateRequest = create });

    public Task CancelAsync(long watchId) => SendAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = watchId } });

    public Task RequestProgressAsync() => SendAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() });

    /// <summary>The next response; fails the test if none comes within 10 seconds.</summary>
    public async Task<WatchResponse> NextAsync()
    {
        var read = _pendingRead ?? _call.ResponseStream.MoveNext(_timeout);
        _pendingRead = null;
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10), _timeout));
        if (finished != read)
        {
            _pendingRead = read;
            Assert.Fail("No watch response within 10 seconds");
        }
        Assert.True(await read, "The watch stream ended");
        return _call.ResponseStream.Current;
    }

    /// <summary>Asserts nothing arrives for a while (the read stays pending for the next NextAsync).</summary>
    public async Task ExpectNothingAsync(TimeSpan wait)
    {
        var read = _pendingRead ?? _call.ResponseStream.MoveNext(_timeout);
        var finished = await Task.WhenAny(read, Task.Delay(wait, _timeout));
        if (finished == read)
        {
            Assert.Fail($"Unexpected watch response: {(await read ? _call.ResponseStream.Current : "end of stream")}");
        }
        _pendingRead = read;
    }

    /// <summary>Creates a watch and returns its created response (asserting it was created).</summary>
    public async Task<WatchResponse> CreatedAsync(WatchCreateRequest create)
    {
        await CreateAsync(create);
        var created = await NextAsync();
        Assert.True(created.Created, $"Expected a created response, got {created}");
        Assert.False(created.Canceled, $"The watch was refused: {created.CancelReason}");
        return created;
    }

    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        return ValueTask.CompletedTask;
    }
}
