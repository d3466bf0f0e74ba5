using System.Diagnostics;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace StateStore.LoadGen;

/// <summary>The tests, each bounded in count and time, each summarised as a <see cref="Result"/>.</summary>
internal static class Workloads
{
    public static async Task<Result> PutAsync(Endpoints endpoints, int target, int count, int inflight, int valueSize, CancellationToken ct)
    {
        var value = ByteString.CopyFrom(new byte[valueSize]);
        var kv = endpoints.Kv(target);
        await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("loadgen/warm"), Value = value }, cancellationToken: ct);
        var latencies = new Latencies();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, inflight).Select(async _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) <= count && !ct.IsCancellationRequested;)
            {
                var started = Stopwatch.GetTimestamp();
                await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"loadgen/put/{i % 10_000:D5}"), Value = value }, cancellationToken: ct);
                latencies.Add(Stopwatch.GetElapsedTime(started));
            }
        }));
        return latencies.Summarize($"put@{inflight}");
    }

    public static async Task<Result> GetAsync(Endpoints endpoints, int target, int count, int inflight, bool serializable, CancellationToken ct)
    {
        var kv = endpoints.Kv(target);
        var key = ByteString.CopyFromUtf8("loadgen/get");
        await kv.PutAsync(new PutRequest { Key = key, Value = ByteString.CopyFrom(new byte[256]) }, cancellationToken: ct);
        var latencies = new Latencies();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, inflight).Select(async _ =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) <= count && !ct.IsCancellationRequested;)
            {
                var started = Stopwatch.GetTimestamp();
                await kv.RangeAsync(new RangeRequest { Key = key, Serializable = serializable }, cancellationToken: ct);
                latencies.Add(Stopwatch.GetElapsedTime(started));
            }
        }));
        return latencies.Summarize(serializable ? $"get-serializable@{inflight}" : $"get-linearizable@{inflight}");
    }

    /// <summary>Sequential ranges of <paramref name="keys"/> keys, loaded first unless <paramref name="load"/> is false (already there).</summary>
    public static async Task<Result> RangeAsync(Endpoints endpoints, int target, int keys, int count, CancellationToken ct, bool load = true)
    {
        var kv = endpoints.Kv(target);
        var value = ByteString.CopyFrom(new byte[256]);
        var prefix = "loadgen/range/";
        for (var i = 0; load && i < keys; i += 64)
        {
            await Task.WhenAll(Enumerable.Range(i, Math.Min(64, keys - i)).Select(k =>
                kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"{prefix}{k:D6}"), Value = value }, cancellationToken: ct).ResponseAsync));
        }
        var latencies = new Latencies();
        for (var i = 0; i < count && !ct.IsCancellationRequested; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = ByteString.CopyFromUtf8("loadgen/range0") }, cancellationToken: ct);
            latencies.Add(Stopwatch.GetElapsedTime(started));
            if (response.Kvs.Count != keys)
            {
                throw new InvalidOperationException($"range returned {response.Kvs.Count} keys, expected {keys}");
            }
        }
        return latencies.Summarize($"range-{keys}-keys");
    }

    /// <summary>Puts at a fixed rate on one member while a watch on another receives them: put sent → event received.</summary>
    public static async Task<Result> WatchLatencyAsync(Endpoints endpoints, int rate, TimeSpan duration, CancellationToken ct, int putMember = 0)
    {
        var kv = endpoints.Kv(putMember);
        using var call = endpoints.Watch((putMember + 1) % endpoints.Count).Watch(cancellationToken: ct);
        var prefix = ByteString.CopyFromUtf8("loadgen/watch/");
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = prefix, RangeEnd = ByteString.CopyFromUtf8("loadgen/watch0") } }, ct);
        await call.ResponseStream.MoveNext(ct); // created
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        var latencies = new Latencies();
        var total = (int)(rate * duration.TotalSeconds);
        var receiver = Task.Run(async () =>
        {
            var received = 0;
            while (received < total && await call.ResponseStream.MoveNext(ct))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var e in call.ResponseStream.Current.Events)
                {
                    if (sent.TryRemove(e.Kv.Key.ToStringUtf8(), out var at))
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(at, now));
                    }
                    received++;
                }
            }
        }, ct);
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var start = Stopwatch.GetTimestamp();
        var puts = new List<Task>();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromTicks(interval.Ticks * i) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }
            var key = $"loadgen/watch/{i:D7}";
            sent[key] = Stopwatch.GetTimestamp();
            puts.Add(kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(new byte[256]) }, cancellationToken: ct).ResponseAsync);
        }
        await Task.WhenAll(puts);
        await receiver.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return latencies.Summarize($"watch-latency@{rate}/s");
    }

    /// <summary>
    /// Sequential writes to any live member while the leader is killed (kill -9 by pid): the longest gap
    /// between two successful writes, in seconds, is the result's Extra.
    /// </summary>
    public static async Task<Result> FailoverAsync(Endpoints endpoints, IReadOnlyDictionary<string, int> pids, TimeSpan killAfter, TimeSpan duration, CancellationToken ct)
    {
        var (leader, _) = await endpoints.FindLeaderAsync(ct);
        if (leader < 0 || !pids.TryGetValue(endpoints.Url(leader), out var pid))
        {
            throw new InvalidOperationException("no leader found, or no pid given for it");
        }
        var latencies = new Latencies();
        var clock = Stopwatch.StartNew();
        var lastSuccess = TimeSpan.Zero;
        var longestGap = TimeSpan.Zero;
        var killed = false;
        var member = (leader + 1) % endpoints.Count;
        for (var i = 0; clock.Elapsed < duration && !ct.IsCancellationRequested; i++)
        {
            if (!killed && clock.Elapsed >= killAfter)
            {
                Process.GetProcessById(pid).Kill();
                killed = true;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await endpoints.Kv(member).PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"loadgen/failover/{i % 1000}"), Value = ByteString.CopyFrom(new byte[256]) },
                    deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: ct);
                latencies.Add(Stopwatch.GetElapsedTime(started));
                var now = clock.Elapsed;
                longestGap = now - lastSuccess > longestGap && lastSuccess > TimeSpan.Zero ? now - lastSuccess : longestGap;
                lastSuccess = now;
            }
            catch (RpcException)
            {
                member = (member + 1) % endpoints.Count;
                if (member == leader)
                {
                    member = (member + 1) % endpoints.Count;
                }
            }
        }
        return latencies.Summarize("failover") with { Extra = longestGap.TotalSeconds };
    }
}
