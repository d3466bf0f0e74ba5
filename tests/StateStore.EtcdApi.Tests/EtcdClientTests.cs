using Etcdserverpb;

namespace StateStore.EtcdApi.Tests;

/// <summary>dotnet-etcd's EtcdClient, unmodified, against our server: what an application would do.</summary>
public sealed class EtcdClientTests : EtcdApiTestBase
{
    [Fact]
    public async Task Put_get_prefix_and_delete_work_through_the_client()
    {
        using var client = Host.CreateEtcdClient();
        await client.PutAsync("app/one", "1", cancellationToken: Timeout);
        await client.PutAsync("app/two", "2", cancellationToken: Timeout);
        await client.PutAsync("other", "x", cancellationToken: Timeout);

        Assert.Equal("1", await client.GetValAsync("app/one", cancellationToken: Timeout));
        var prefix = await client.GetRangeValAsync("app/", cancellationToken: Timeout);
        Assert.Equal(["app/one=1", "app/two=2"], prefix.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

        var deleted = await client.DeleteRangeAsync("app/", cancellationToken: Timeout);
        Assert.Equal(2, deleted.Deleted);
        Assert.Equal("", await client.GetValAsync("app/one", cancellationToken: Timeout));

        var status = await client.StatusAsync(new StatusRequest(), cancellationToken: Timeout);
        Assert.Equal("3.5.0", status.Version);
        Assert.Equal(5, status.Header.Revision);
    }

    [Fact]
    public async Task The_clients_watch_sees_writes()
    {
        using var client = Host.CreateEtcdClient();
        var received = new TaskCompletionSource<WatchResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Timeout);
        var watching = client.WatchAsync(
            new WatchRequest { CreateRequest = new WatchCreateRequest { Key = B("w"), PrevKv = true } },
            response =>
            {
                if (response.Events.Count > 0)
                {
                    received.TrySetResult(response);
                }
            },
            cancellationToken: cancel.Token);

        // The create is asynchronous; keep writing until the watch reports an event.
        var value = 0;
        while (!received.Task.IsCompleted)
        {
            await client.PutAsync("w", $"v{value++}", cancellationToken: Timeout);
            await Task.WhenAny(received.Task, Task.Delay(100, Timeout));
        }
        var e = (await received.Task).Events[0];
        Assert.Equal("w", e.Kv.Key.ToStringUtf8());
        Assert.StartsWith("v", e.Kv.Value.ToStringUtf8());
        await cancel.CancelAsync();
        await Task.WhenAny(watching, Task.Delay(1000, Timeout));
    }
}
