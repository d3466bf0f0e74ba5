using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>The keys the lease clients of a run have put lately, for every client to read (a few, so reads meet revokes).</summary>
public sealed class LeaseKeys
{
    private const int Kept = 16;
    private readonly List<string> _keys = [];

    public void Add(string key)
    {
        lock (_keys)
        {
            _keys.Add(key);
            if (_keys.Count > Kept)
            {
                _keys.RemoveAt(0);
            }
        }
    }

    public string? Pick(Random random)
    {
        lock (_keys)
        {
            return _keys.Count == 0 ? null : _keys[random.Next(_keys.Count)];
        }
    }
}

/// <summary>
/// One client of the lease workload, over the etcd API: it grants a lease (TTL <see cref="Ttl"/>, far longer than a
/// run: nothing is meant to expire), puts <see cref="KeysPerLease"/> fresh keys <c>l/&lt;lease&gt;/kJ</c> with it
/// (each put followed by one KeepAlive of the lease, sent and not checked), reads keys any client put lately, and
/// revokes the lease, then starts over with a new one. A revoke is recorded as one delete per key the client put
/// with the lease, all with the revoke's times, outcome and revision: each key's history is then a register with
/// delete, so a read that returns a key of a lease after its revoke answered is not linearizable. What a revoke does
/// to the keys together is <c>LeaseChecker</c>'s. A grant that fails is recorded as a failed put.
/// </summary>
public sealed class LeaseClient(int client, IReadOnlyList<ServerProcess> members, History history, TrafficOptions options, LeaseKeys recent)
    : TrafficClient(client, members, history)
{
    public const string Prefix = "l/";

    public const int KeysPerLease = 2;

    public static readonly TimeSpan Ttl = TimeSpan.FromHours(1);

    private readonly List<string> _attached = [];
    private long _lease;

    /// <summary>etcd's Lease service of a member, over the member's channel.</summary>
    private static Lease.LeaseClient LeaseApi(ServerProcess member) => new(member.Channel);

    /// <summary>The lease a key of this workload is attached to, from its name.</summary>
    public static long LeaseOf(string key) => Convert.ToInt64(key.Split('/')[1], 16);

    protected override async Task<Operation> InvokeAsync()
    {
        var member = Members[Member];
        var deadline = DateTime.UtcNow + options.OpTimeout;
        var read = recent.Pick(Random);
        if (_lease != 0 && _attached.Count == KeysPerLease && (read is null || Random.Next(100) >= options.ReadPercent))
        {
            return await RevokeAsync(member, deadline);
        }
        if (_lease != 0 && _attached.Count == KeysPerLease || read is not null && Random.Next(100) < options.ReadPercent)
        {
            return await ReadAsync(member, Invoke(OpType.Read, read!, null), deadline);
        }
        var put = Invoke(OpType.Write, $"{Prefix}{_lease:x}/k{_attached.Count}", null);
        try
        {
            if (_lease == 0)
            {
                var granted = await LeaseApi(member).LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Ttl.TotalSeconds }, deadline: deadline);
                _lease = granted.ID;
                put = put with { Key = $"{Prefix}{_lease:x}/k0" };
            }
        }
        catch (RpcException e)
        {
            return put with { Outcome = Outcome.Fail, CompleteNs = History.NowNs, Error = $"lease grant: {e.StatusCode}: {e.Status.Detail}" };
        }
        _attached.Add(put.Key);
        recent.Add(put.Key);
        try
        {
            var response = await member.Kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(put.Key), Value = ByteString.CopyFromUtf8(put.Value), Lease = _lease }, deadline: deadline);
            put = put with { Outcome = Outcome.Ok, CompleteNs = History.NowNs, Revision = response.Header.Revision };
        }
        catch (RpcException e)
        {
            return put with { Error = $"{e.StatusCode}: {e.Status.Detail}" };
        }
        await KeepAliveAsync(member, deadline);
        return put;
    }

    private async Task<Operation> ReadAsync(ServerProcess member, Operation op, DateTime deadline)
    {
        try
        {
            var response = await member.Kv.RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(op.Key) }, deadline: deadline);
            return op with { Outcome = Outcome.Ok, CompleteNs = History.NowNs, Revision = response.Header.Revision, Value = response.Kvs.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8() };
        }
        catch (RpcException e)
        {
            return op with { Outcome = Outcome.Fail, CompleteNs = History.NowNs, Error = $"{e.StatusCode}: {e.Status.Detail}" };
        }
    }

    /// <summary>The revoke, recorded as a delete of each key put with the lease (the last returned, the others added here).</summary>
    private async Task<Operation> RevokeAsync(ServerProcess member, DateTime deadline)
    {
        var deletes = _attached.Select(key => Invoke(OpType.Delete, key, null)).ToList();
        try
        {
            var response = await LeaseApi(member).LeaseRevokeAsync(new LeaseRevokeRequest { ID = _lease }, deadline: deadline);
            var now = History.NowNs;
            deletes = deletes.Select(d => d with { Outcome = Outcome.Ok, CompleteNs = now, Revision = response.Header.Revision, InvokeNs = deletes[0].InvokeNs }).ToList();
        }
        catch (RpcException e)
        {
            deletes = deletes.Select(d => d with { InvokeNs = deletes[0].InvokeNs, Error = $"lease revoke: {e.StatusCode}: {e.Status.Detail}" }).ToList();
        }
        _lease = 0;
        _attached.Clear();
        foreach (var delete in deletes.SkipLast(1))
        {
            History.Add(delete);
        }
        return deletes[^1];
    }

    /// <summary>One KeepAlive of the current lease, as a client renewing it would send; its answer is not checked.</summary>
    private async Task KeepAliveAsync(ServerProcess member, DateTime deadline)
    {
        try
        {
            using var stream = LeaseApi(member).LeaseKeepAlive(deadline: deadline);
            await stream.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = _lease });
            await stream.RequestStream.CompleteAsync();
            await stream.ResponseStream.MoveNext(CancellationToken.None);
        }
        catch (RpcException)
        {
            // Renewal is best effort: the TTL is far longer than the run.
        }
    }
}
