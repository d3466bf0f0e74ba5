using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>
/// One client of the multi-key transaction workload (etcd robustness's multi-op Txn), over a few keys under
/// <see cref="Prefix"/>: each op is one etcd Txn. A read-only one (<see cref="TrafficOptions.ReadPercent"/> of them)
/// has no compare and gets every key, a snapshot of them all. The others compare one or two keys against the values
/// this client last saw (absent: version == 0), and on success put one or two keys (unique values) and get the rest;
/// on failure they get every key. Every op is recorded as <see cref="OpType.Txn"/> with the set's prefix as its key,
/// so the checker searches the whole set at once under <see cref="TxnModel"/>. A Txn whose answer did not come is
/// Unknown and retires its process, as in <see cref="RegisterClient"/>.
/// </summary>
public sealed class TxnClient(int client, IReadOnlyList<ServerProcess> members, History history, TrafficOptions options)
    : TrafficClient(client, members, history)
{
    /// <summary>The etcd key prefix of the workload's keys, and the key every Txn op is recorded under.</summary>
    public const string Prefix = "t/";

    private readonly Dictionary<string, string?> _lastSeen = [];

    private string Key(int i) => $"{Prefix}k{i}";

    protected override async Task<Operation> InvokeAsync()
    {
        var keys = Enumerable.Range(0, options.Keys).Select(Key).ToList();
        var readOnly = Random.Next(100) < options.ReadPercent;
        var compared = readOnly ? [] : keys.OrderBy(_ => Random.Next()).Take(Random.Next(1, 3)).Select(k => new KeyState(k, _lastSeen.GetValueOrDefault(k))).ToList();
        var put = readOnly ? [] : keys.OrderBy(_ => Random.Next()).Take(Random.Next(1, 3)).Order(StringComparer.Ordinal).Select(k => new KeyState(k, NextValue())).ToList();
        var op = Invoke(OpType.Txn, Prefix, null) with { Compares = compared, Puts = put };
        var request = new TxnRequest();
        request.Compare.AddRange(compared.Select(Holds));
        request.Success.AddRange(put.Select(p => new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(p.Key), Value = ByteString.CopyFromUtf8(p.Value) } }));
        var gotOnSuccess = keys.Where(k => put.All(p => p.Key != k)).ToList();
        request.Success.AddRange(gotOnSuccess.Select(Get));
        request.Failure.AddRange(keys.Select(Get));
        try
        {
            var response = await Members[Member].Kv.TxnAsync(request, deadline: DateTime.UtcNow + options.OpTimeout);
            var got = response.Succeeded ? gotOnSuccess : keys;
            var ranges = response.Responses.Where(r => r.ResponseRange is not null).Select(r => r.ResponseRange).ToList();
            var reads = got.Zip(ranges, (key, range) => new KeyState(key, range.Kvs.Count == 0 ? null : range.Kvs[0].Value.ToStringUtf8())).ToList();
            foreach (var seen in reads.Concat(response.Succeeded ? put : []))
            {
                _lastSeen[seen.Key] = seen.Value;
            }
            return op with { Outcome = Outcome.Ok, Succeeded = response.Succeeded, Reads = reads, CompleteNs = History.NowNs, Revision = response.Header.Revision };
        }
        catch (RpcException e)
        {
            // A read-only Txn that failed had no effect; one that puts may yet be applied.
            return op with
            {
                Outcome = readOnly ? Outcome.Fail : Outcome.Unknown,
                CompleteNs = readOnly ? History.NowNs : null,
                Error = $"{e.StatusCode}: {e.Status.Detail}",
            };
        }
    }

    /// <summary>The key holds the value, or is absent when the value is null (etcd: version == 0).</summary>
    private static Compare Holds(KeyState expected) => expected.Value is null
        ? new Compare { Key = ByteString.CopyFromUtf8(expected.Key), Target = Etcdserverpb.Compare.Types.CompareTarget.Version, Result = Etcdserverpb.Compare.Types.CompareResult.Equal, Version = 0 }
        : new Compare { Key = ByteString.CopyFromUtf8(expected.Key), Target = Etcdserverpb.Compare.Types.CompareTarget.Value, Result = Etcdserverpb.Compare.Types.CompareResult.Equal, Value = ByteString.CopyFromUtf8(expected.Value) };

    private static RequestOp Get(string key) => new() { RequestRange = new RangeRequest { Key = ByteString.CopyFromUtf8(key) } };
}
