using FASTER.core;

namespace StateStore.Storage.Faster;

/// <summary>FASTER callbacks: values are raw <see cref="SpanByte"/> records, decoded on read.</summary>
internal sealed class RecordFunctions : SpanByteFunctions<RevisionKey, StoredRecord?, Empty>
{
    public override bool SingleReader(ref RevisionKey key, ref SpanByte input, ref SpanByte value, ref StoredRecord? dst, ref ReadInfo readInfo)
    {
        dst = StoredRecord.Decode(value.AsReadOnlySpan());
        return true;
    }

    public override bool ConcurrentReader(ref RevisionKey key, ref SpanByte input, ref SpanByte value, ref StoredRecord? dst, ref ReadInfo readInfo)
    {
        dst = StoredRecord.Decode(value.AsReadOnlySpan());
        return true;
    }
}
