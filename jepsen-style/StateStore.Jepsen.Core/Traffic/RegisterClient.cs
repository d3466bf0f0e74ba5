using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>How the register workload runs.</summary>
public sealed record TrafficOptions
{
    public int Clients { get; init; } = 4;

    /// <summary>Keys the clients share: few, so that ops on a key overlap.</summary>
    public int Keys { get; init; } = 4;

    public string Prefix { get; init; } = "r/";

    /// <summary>The gRPC deadline of one op; generous because a loaded 2-core machine answers slowly.</summary>
    public TimeSpan OpTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public int ReadPercent { get; init; } = 40;

    public int WritePercent { get; init; } = 30;

    /// <summary>Deletes, half of them compare-and-deletes when the client knows a value; the rest of the mix is Cas.</summary>
    public int DeletePercent { get; init; } = 10;

    public string Key(int i) => $"{Prefix}k{i}";
}

/// <summary>
/// One client of the register workload: reads, writes, compare-and-sets, deletes and compare-and-deletes random keys through the etcd KV
/// API of one member (moving to the next member after an error), one op at a time, recording each in the
/// history. Values are unique (process and sequence number), so a read names the write it saw. Every op is
/// one attempt: a retry is a new op. A write or Cas whose answer did not come is Unknown — it may still
/// happen — and its process retires; the client goes on as a new process.
/// </summary>
public sealed class RegisterClient(int client, IReadOnlyList<ServerProcess> members, History history, TrafficOptions options, BrokenStore store)
    : TrafficClient(client, members, history)
{
    private readonly Dictionary<string, string?> _lastSeen = [];

    protected override async Task<Operation> InvokeAsync()
    {
        var key = options.Key(Random.Next(options.Keys));
        var expected = _lastSeen.GetValueOrDefault(key);
        var type = NextType(options, canCompare: expected is not null);
        var member = Members[Member];
        var op = Invoke(type, key, expected);
        try
        {
            var deadline = DateTime.UtcNow + options.OpTimeout;
            op = type switch
            {
                OpType.Read => await ReadAsync(member, op, deadline),
                OpType.Write => await WriteAsync(member, op, deadline),
                OpType.Delete => await DeleteAsync(member, op, deadline),
                _ => await CompareAsync(member, op, deadline),
            };
            op = store.Distort(op);
            // A delete leaves the key absent whether or not it found it.
            if (type is OpType.Read or OpType.Delete || op.Succeeded is not false)
            {
                _lastSeen[key] = op.Value;
            }
            return op;
        }
        catch (RpcException e)
        {
            // A read that failed had no effect; a write that failed may yet be applied (it may have reached the leader).
            return op with
            {
                Outcome = type == OpType.Read ? Outcome.Fail : Outcome.Unknown,
                CompleteNs = type == OpType.Read ? History.NowNs : null,
                Error = $"{e.StatusCode}: {e.Status.Detail}",
            };
        }
    }

    private async Task<Operation> ReadAsync(ServerProcess member, Operation op, DateTime deadline)
    {
        var response = await member.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(op.Key) }, deadline: deadline);
        return op with
        {
            Value = response.Kvs.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8(),
            Outcome = Outcome.Ok,
            CompleteNs = History.NowNs,
            Revision = response.Header.Revision,
        };
    }

    private async Task<Operation> WriteAsync(ServerProcess member, Operation op, DateTime deadline)
    {
        var response = await member.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(op.Key), Value = ByteString.CopyFromUtf8(op.Value) }, deadline: deadline);
        return op with { Outcome = Outcome.Ok, CompleteNs = History.NowNs, Revision = response.Header.Revision };
    }

    private async Task<Operation> DeleteAsync(ServerProcess member, Operation op, DateTime deadline)
    {
        var response = await member.Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(op.Key) }, deadline: deadline);
        return op with { Outcome = Outcome.Ok, Succeeded = response.Deleted > 0, CompleteNs = History.NowNs, Revision = response.Header.Revision };
    }

    /// <summary>A Cas or a compare-and-delete: a Txn comparing the key's value, then the put or the delete.</summary>
    private async Task<Operation> CompareAsync(ServerProcess member, Operation op, DateTime deadline)
    {
        var key = ByteString.CopyFromUtf8(op.Key);
        var then = op.Type == OpType.Cas
            ? new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(op.Value) } }
            : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } };
        var response = await member.Kv.TxnAsync(new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = ByteString.CopyFromUtf8(op.Expected) } },
            Success = { then },
        }, deadline: deadline);
        return op with { Outcome = Outcome.Ok, Succeeded = response.Succeeded, CompleteNs = History.NowNs, Revision = response.Header.Revision };
    }
}
