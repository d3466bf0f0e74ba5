using System.Buffers;
using System.Buffers.Binary;
using StateStore.Kv;

namespace StateStore.Raft.Commands;

/// <summary>
/// The log entry format of a <see cref="Command"/>: a format byte, the request id, a kind byte and
/// the request's fields in <see cref="WireWriter"/>'s primitives. Written once here so every member decodes what any member wrote.
/// </summary>
internal static class CommandCodec
{
    private const byte Format = 1;

    private enum Kind : byte
    {
        Put = 1,
        DeleteRange = 2,
        Txn = 3,
        Compact = 4,
        Range = 5,

        // Membership changes travel in the same envelope only to reach the leader; they are Raft
        // configuration changes, never log entries of the state machine.
        MemberAdd = 6,
        MemberRemove = 7,

        LeaseGrant = 8,
        LeaseRevoke = 9,

        // Lease renewals and TTL questions go to the leader (it keeps the lease clock), never into the log.
        LeaseKeepAlive = 10,
        LeaseTimeToLive = 11,

        Alarm = 12,

        // A follower asking the leader for the members (only the leader knows those added but not started).
        MemberList = 13,

        // A follower asking the leader for a read index (linearizable reads), never in the log.
        ReadIndex = 14,
    }

    public static byte[] Encode(Command command)
    {
        var writer = new WireWriter();
        writer.Byte(Format);
        Span<byte> id = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(id, command.Id.Boot);
        BinaryPrimitives.WriteInt64LittleEndian(id[8..], command.Id.Sequence);
        writer.Raw(id);
        WriteBody(writer, command.Body);
        return writer.ToArray();
    }

    public static Command Decode(ReadOnlySequence<byte> payload)
    {
        var reader = new WireReader(payload);
        var format = reader.Byte();
        if (format != Format)
        {
            throw new InvalidDataException($"unknown command format {format}");
        }
        var id = new RequestId((ulong)reader.LittleEndianLong(), reader.LittleEndianLong());
        var body = ReadBody(ref reader);
        reader.ExpectEnd();
        return new Command(id, body);
    }

    private static void WriteBody(WireWriter w, object body)
    {
        switch (body)
        {
            case PutRequest put:
                w.Byte((byte)Kind.Put);
                WritePut(w, put);
                break;
            case DeleteRangeRequest delete:
                w.Byte((byte)Kind.DeleteRange);
                WriteDelete(w, delete);
                break;
            case TxnRequest txn:
                w.Byte((byte)Kind.Txn);
                WriteTxn(w, txn);
                break;
            case CompactRequest compact:
                w.Byte((byte)Kind.Compact);
                w.Long(compact.Revision);
                w.Flags(compact.Physical);
                break;
            case MemberAddRequest add:
                w.Byte((byte)Kind.MemberAdd);
                w.Strings(add.PeerUrls);
                break;
            case MemberRemoveRequest remove:
                w.Byte((byte)Kind.MemberRemove);
                w.Long((long)remove.Id);
                break;
            case LeaseGrantRequest grant:
                w.Byte((byte)Kind.LeaseGrant);
                w.Long(grant.Id);
                w.Long(grant.Ttl);
                break;
            case LeaseRevokeRequest revoke:
                w.Byte((byte)Kind.LeaseRevoke);
                w.Long(revoke.Id);
                break;
            case LeaseKeepAliveQuery keepAlive:
                w.Byte((byte)Kind.LeaseKeepAlive);
                w.Long(keepAlive.Id);
                break;
            case LeaseTimeToLiveRequest timeToLive:
                w.Byte((byte)Kind.LeaseTimeToLive);
                w.Long(timeToLive.Id);
                w.Flags(timeToLive.Keys);
                break;
            case AlarmRequest alarm:
                w.Byte((byte)Kind.Alarm);
                w.Long((long)alarm.Action);
                w.Long((long)alarm.MemberId);
                w.Long((long)alarm.Alarm);
                break;
            case PendingMembersQuery:
                w.Byte((byte)Kind.MemberList);
                break;
            case ReadIndexQuery:
                w.Byte((byte)Kind.ReadIndex);
                break;
            default:
                throw new ArgumentException($"cannot encode a {body.GetType().Name}", nameof(body));
        }
    }

    private static object ReadBody(ref WireReader r) => (Kind)r.Byte() switch
    {
        Kind.Put => ReadPut(ref r),
        Kind.DeleteRange => ReadDelete(ref r),
        Kind.Txn => ReadTxn(ref r),
        Kind.Compact => new CompactRequest { Revision = r.Long(), Physical = r.Flags(1)[0] },
        Kind.MemberAdd => new MemberAddRequest(r.Strings()),
        Kind.MemberRemove => new MemberRemoveRequest((ulong)r.Long()),
        Kind.LeaseGrant => new LeaseGrantRequest { Id = r.Long(), Ttl = r.Long() },
        Kind.LeaseRevoke => new LeaseRevokeRequest(r.Long()),
        Kind.LeaseKeepAlive => new LeaseKeepAliveQuery(r.Long()),
        Kind.LeaseTimeToLive => new LeaseTimeToLiveRequest(r.Long(), r.Flags(1)[0]),
        Kind.Alarm => new AlarmRequest((AlarmAction)r.Long(), (ulong)r.Long(), (AlarmType)r.Long()),
        Kind.MemberList => new PendingMembersQuery(),
        Kind.ReadIndex => new ReadIndexQuery(),
        var kind => throw new InvalidDataException($"unknown command kind {kind}"),
    };

    private static void WritePut(WireWriter w, PutRequest p)
    {
        w.Bytes(p.Key);
        w.Bytes(p.Value);
        w.Long(p.Lease);
        w.Flags(p.PrevKv, p.IgnoreValue, p.IgnoreLease);
    }

    private static PutRequest ReadPut(ref WireReader r)
    {
        var key = r.Bytes()!;
        var value = r.Bytes()!;
        var lease = r.Long();
        var f = r.Flags(3);
        return new PutRequest { Key = key, Value = value, Lease = lease, PrevKv = f[0], IgnoreValue = f[1], IgnoreLease = f[2] };
    }

    private static void WriteDelete(WireWriter w, DeleteRangeRequest d)
    {
        w.Bytes(d.Key);
        w.Bytes(d.RangeEnd);
        w.Flags(d.PrevKv);
    }

    private static DeleteRangeRequest ReadDelete(ref WireReader r) =>
        new() { Key = r.Bytes()!, RangeEnd = r.Bytes(), PrevKv = r.Flags(1)[0] };

    private static void WriteRange(WireWriter w, RangeRequest q)
    {
        w.Bytes(q.Key);
        w.Bytes(q.RangeEnd);
        w.Long(q.Limit);
        w.Long(q.Revision);
        w.Long((long)q.SortOrder);
        w.Long((long)q.SortTarget);
        w.Flags(q.Serializable, q.KeysOnly, q.CountOnly);
        w.Long(q.MinModRevision);
        w.Long(q.MaxModRevision);
        w.Long(q.MinCreateRevision);
        w.Long(q.MaxCreateRevision);
    }

    private static RangeRequest ReadRange(ref WireReader r)
    {
        var key = r.Bytes()!;
        var end = r.Bytes();
        var limit = r.Long();
        var revision = r.Long();
        var order = (SortOrder)r.Long();
        var target = (SortTarget)r.Long();
        var f = r.Flags(3);
        return new RangeRequest
        {
            Key = key, RangeEnd = end, Limit = limit, Revision = revision, SortOrder = order, SortTarget = target,
            Serializable = f[0], KeysOnly = f[1], CountOnly = f[2],
            MinModRevision = r.Long(), MaxModRevision = r.Long(),
            MinCreateRevision = r.Long(), MaxCreateRevision = r.Long(),
        };
    }

    private static void WriteTxn(WireWriter w, TxnRequest t)
    {
        w.Long(t.Compare.Count);
        foreach (var c in t.Compare)
        {
            w.Bytes(c.Key);
            w.Bytes(c.RangeEnd);
            w.Long((long)c.Target);
            w.Long((long)c.Result);
            w.Long(c.Number);
            w.Bytes(c.Value);
        }
        WriteOps(w, t.Success);
        WriteOps(w, t.Failure);
    }

    private static TxnRequest ReadTxn(ref WireReader r)
    {
        var compares = new Compare[r.Count()];
        for (var i = 0; i < compares.Length; i++)
        {
            compares[i] = new Compare
            {
                Key = r.Bytes()!, RangeEnd = r.Bytes(),
                Target = (CompareTarget)r.Long(), Result = (CompareResult)r.Long(),
                Number = r.Long(), Value = r.Bytes()!,
            };
        }
        var success = ReadOps(ref r);
        var failure = ReadOps(ref r);
        return new TxnRequest { Compare = compares, Success = success, Failure = failure };
    }

    private static void WriteOps(WireWriter w, IReadOnlyList<RequestOp> ops)
    {
        w.Long(ops.Count);
        foreach (var op in ops)
        {
            switch (op)
            {
                case { Range: { } range }:
                    w.Byte((byte)Kind.Range);
                    WriteRange(w, range);
                    break;
                case { Put: { } put }:
                    w.Byte((byte)Kind.Put);
                    WritePut(w, put);
                    break;
                case { DeleteRange: { } delete }:
                    w.Byte((byte)Kind.DeleteRange);
                    WriteDelete(w, delete);
                    break;
                case { Txn: { } txn }:
                    w.Byte((byte)Kind.Txn);
                    WriteTxn(w, txn);
                    break;
                default:
                    throw new ArgumentException("a txn operation names no request");
            }
        }
    }

    private static RequestOp[] ReadOps(ref WireReader r)
    {
        var ops = new RequestOp[r.Count()];
        for (var i = 0; i < ops.Length; i++)
        {
            ops[i] = (Kind)r.Byte() switch
            {
                Kind.Range => RequestOp.Of(ReadRange(ref r)),
                Kind.Put => RequestOp.Of(ReadPut(ref r)),
                Kind.DeleteRange => RequestOp.Of(ReadDelete(ref r)),
                Kind.Txn => RequestOp.Of(ReadTxn(ref r)),
                var kind => throw new InvalidDataException($"unknown txn operation {kind}"),
            };
        }
        return ops;
    }
}
