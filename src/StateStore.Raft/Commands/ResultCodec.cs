using System.Buffers;
using System.Text;
using StateStore.Kv;

namespace StateStore.Raft.Commands;

/// <summary>
/// The answer to a forwarded write, as the leader's state machine computed it: a status, an error
/// message and, on success, the response (put, delete, txn with nested ranges, or compact).
/// </summary>
internal static class ResultCodec
{
    private const byte Format = 1;

    public static byte[] Encode(object result)
    {
        var w = new WireWriter();
        w.Byte(Format);
        switch (result)
        {
            case KvResult<PutResponse> r: Envelope(w, r, 1, v => Put(w, v)); break;
            case KvResult<DeleteRangeResponse> r: Envelope(w, r, 2, v => Delete(w, v)); break;
            case KvResult<TxnResponse> r: Envelope(w, r, 3, v => Txn(w, v)); break;
            case KvResult<CompactResponse> r: Envelope(w, r, 4, v => w.Long(v.Revision)); break;
            case KvResult<MemberAddResponse> r: Envelope(w, r, 5, v => { Member(w, v.Member); Members(w, v.Members); }); break;
            case KvResult<MemberListResponse> r: Envelope(w, r, 6, v => Members(w, v.Members)); break;
            case KvResult<LeaseGrantResponse> r: Envelope(w, r, 7, v => { w.Long(v.Revision); w.Long(v.Id); w.Long(v.Ttl); }); break;
            case KvResult<LeaseRevokeResponse> r: Envelope(w, r, 8, v => w.Long(v.Revision)); break;
            case KvResult<LeaseKeepAliveResponse> r: Envelope(w, r, 9, v => { w.Long(v.Revision); w.Long(v.Id); w.Long(v.Ttl); }); break;
            case KvResult<LeaseTimeToLiveResponse> r: Envelope(w, r, 10, v => TimeToLive(w, v)); break;
            case KvResult<AlarmResponse> r: Envelope(w, r, 11, v => Alarms(w, v)); break;
            case KvResult<ReadIndexResponse> r: Envelope(w, r, 12, v => w.Long(v.Index)); break;
            default: throw new ArgumentException($"cannot encode a {result.GetType().Name}", nameof(result));
        }
        return w.ToArray();
    }

    public static KvResult<T> Decode<T>(ReadOnlySequence<byte> payload)
    {
        var r = new WireReader(payload);
        if (r.Byte() != Format)
        {
            throw new InvalidDataException("unknown result format");
        }
        var kind = r.Byte();
        var status = (KvStatus)r.Long();
        if (status != KvStatus.Ok)
        {
            var error = Encoding.UTF8.GetString(r.Bytes()!);
            r.ExpectEnd();
            return KvResult<T>.Fail(status, error);
        }
        object value = kind switch
        {
            1 => ReadPut(ref r),
            2 => ReadDelete(ref r),
            3 => ReadTxn(ref r),
            4 => new CompactResponse(r.Long()),
            5 => new MemberAddResponse(ReadMember(ref r), ReadMembers(ref r)),
            6 => new MemberListResponse(ReadMembers(ref r)),
            7 => new LeaseGrantResponse(r.Long(), r.Long(), r.Long()),
            8 => new LeaseRevokeResponse(r.Long()),
            9 => new LeaseKeepAliveResponse(r.Long(), r.Long(), r.Long()),
            10 => ReadTimeToLive(ref r),
            11 => ReadAlarms(ref r),
            12 => new ReadIndexResponse(r.Long()),
            _ => throw new InvalidDataException($"unknown result kind {kind}"),
        };
        r.ExpectEnd();
        return value is T typed ? KvResult<T>.Ok(typed) : throw new InvalidDataException($"expected a {typeof(T).Name}, got a {value.GetType().Name}");
    }

    private static void Envelope<T>(WireWriter w, KvResult<T> result, byte kind, Action<T> body)
    {
        w.Byte(kind);
        w.Long((long)result.Status);
        if (result.IsOk)
        {
            body(result.Value);
        }
        else
        {
            w.Bytes(Encoding.UTF8.GetBytes(result.Error ?? ""));
        }
    }

    private static void Kv(WireWriter w, KeyValue? kv)
    {
        w.Byte(kv is null ? (byte)0 : (byte)1);
        if (kv is not null)
        {
            w.Bytes(kv.Key);
            w.Bytes(kv.Value);
            w.Long(kv.CreateRevision);
            w.Long(kv.ModRevision);
            w.Long(kv.Version);
            w.Long(kv.Lease);
        }
    }

    private static KeyValue? ReadKv(ref WireReader r) =>
        r.Byte() == 0 ? null : new KeyValue(r.Bytes()!, r.Bytes()!, r.Long(), r.Long(), r.Long(), r.Long());

    private static void Kvs(WireWriter w, IReadOnlyList<KeyValue> kvs)
    {
        w.Long(kvs.Count);
        foreach (var kv in kvs)
        {
            Kv(w, kv);
        }
    }

    private static List<KeyValue> ReadKvs(ref WireReader r)
    {
        var kvs = new List<KeyValue>(r.Count());
        for (var i = kvs.Capacity; i > 0; i--)
        {
            kvs.Add(ReadKv(ref r) ?? throw new InvalidDataException("a null key-value in a list"));
        }
        return kvs;
    }

    private static void Put(WireWriter w, PutResponse p)
    {
        w.Long(p.Revision);
        Kv(w, p.PrevKv);
    }

    private static PutResponse ReadPut(ref WireReader r) => new(r.Long(), ReadKv(ref r));

    private static void Delete(WireWriter w, DeleteRangeResponse d)
    {
        w.Long(d.Revision);
        w.Long(d.Deleted);
        Kvs(w, d.PrevKvs);
    }

    private static DeleteRangeResponse ReadDelete(ref WireReader r) => new(r.Long(), r.Long(), ReadKvs(ref r));

    private static void Range(WireWriter w, RangeResponse q)
    {
        w.Long(q.Revision);
        Kvs(w, q.Kvs);
        w.Byte(q.More ? (byte)1 : (byte)0);
        w.Long(q.Count);
    }

    private static RangeResponse ReadRange(ref WireReader r) => new(r.Long(), ReadKvs(ref r), r.Byte() == 1, r.Long());

    private static void Txn(WireWriter w, TxnResponse t)
    {
        w.Long(t.Revision);
        w.Byte(t.Succeeded ? (byte)1 : (byte)0);
        w.Long(t.Responses.Count);
        foreach (var op in t.Responses)
        {
            switch (op)
            {
                case { Range: { } range }: w.Byte(1); Range(w, range); break;
                case { Put: { } put }: w.Byte(2); Put(w, put); break;
                case { DeleteRange: { } delete }: w.Byte(3); Delete(w, delete); break;
                case { Txn: { } txn }: w.Byte(4); Txn(w, txn); break;
                default: throw new ArgumentException("a txn response names no operation");
            }
        }
    }

    private static TxnResponse ReadTxn(ref WireReader r)
    {
        var revision = r.Long();
        var succeeded = r.Byte() == 1;
        var responses = new ResponseOp[r.Count()];
        for (var i = 0; i < responses.Length; i++)
        {
            responses[i] = r.Byte() switch
            {
                1 => new ResponseOp { Range = ReadRange(ref r) },
                2 => new ResponseOp { Put = ReadPut(ref r) },
                3 => new ResponseOp { DeleteRange = ReadDelete(ref r) },
                4 => new ResponseOp { Txn = ReadTxn(ref r) },
                var kind => throw new InvalidDataException($"unknown txn response {kind}"),
            };
        }
        return new TxnResponse(revision, succeeded, responses);
    }

    private static void TimeToLive(WireWriter w, LeaseTimeToLiveResponse t)
    {
        w.Long(t.Revision);
        w.Long(t.Id);
        w.Long(t.Ttl);
        w.Long(t.GrantedTtl);
        w.Long(t.Keys.Count);
        foreach (var key in t.Keys)
        {
            w.Bytes(key);
        }
    }

    private static LeaseTimeToLiveResponse ReadTimeToLive(ref WireReader r)
    {
        var (revision, id, ttl, granted) = (r.Long(), r.Long(), r.Long(), r.Long());
        var keys = new byte[r.Count()][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = r.Bytes()!;
        }
        return new LeaseTimeToLiveResponse(revision, id, ttl, granted, keys);
    }

    private static void Alarms(WireWriter w, AlarmResponse a)
    {
        w.Long(a.Revision);
        w.Long(a.Alarms.Count);
        foreach (var alarm in a.Alarms)
        {
            w.Long((long)alarm.MemberId);
            w.Long((long)alarm.Alarm);
        }
    }

    private static AlarmResponse ReadAlarms(ref WireReader r)
    {
        var revision = r.Long();
        var alarms = new AlarmMember[r.Count()];
        for (var i = 0; i < alarms.Length; i++)
        {
            alarms[i] = new AlarmMember((ulong)r.Long(), (AlarmType)r.Long());
        }
        return new AlarmResponse(revision, alarms);
    }

    private static void Member(WireWriter w, ClusterMember member)
    {
        w.Long((long)member.Id);
        w.Bytes(Encoding.UTF8.GetBytes(member.Name));
        w.Strings(member.PeerUrls);
        w.Strings(member.ClientUrls);
    }

    private static ClusterMember ReadMember(ref WireReader r) =>
        new((ulong)r.Long(), Encoding.UTF8.GetString(r.Bytes()!), r.Strings(), r.Strings());

    private static void Members(WireWriter w, IReadOnlyList<ClusterMember> members)
    {
        w.Long(members.Count);
        foreach (var member in members)
        {
            Member(w, member);
        }
    }

    private static ClusterMember[] ReadMembers(ref WireReader r)
    {
        var members = new ClusterMember[r.Count()];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = ReadMember(ref r);
        }
        return members;
    }
}
