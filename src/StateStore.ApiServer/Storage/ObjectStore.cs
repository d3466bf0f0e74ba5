using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Resources;
using StateStore.Kv;

namespace StateStore.ApiServer.Storage;

/// <summary>One stored object: its JSON (resourceVersion filled in from the key's mod revision) and that revision.</summary>
internal sealed record Stored(JsonObject Object, long ModRevision);

/// <summary>A page of a list: the items, the revision it was read at, and where the next page starts (null when done).</summary>
internal sealed record ListPage<T>(IReadOnlyList<T> Items, long Revision, string? NextKey);

/// <summary>
/// Kubernetes objects over <see cref="IKvStore"/>, as kube-apiserver keeps them in etcd: JSON under their key,
/// resourceVersion = the key's mod revision (never stored in the JSON); create and update are compare-and-set
/// transactions, so a stale resourceVersion or an existing name is refused atomically.
/// </summary>
internal sealed class ObjectStore(IKvStore store, ResourceType? served = null)
{
    public IKvStore Kv => store;

    /// <summary>The objects of <paramref name="type"/>: converted to and from their stored form when it differs.</summary>
    public ObjectStore For(ResourceType type) => type.Conversion is null ? this : new ObjectStore(store, type);

    public async Task<Stored?> GetAsync(string key, bool serializable, CancellationToken cancellationToken)
    {
        var read = Check(await store.RangeAsync(new RangeRequest { Key = Bytes.Of(key), Serializable = serializable }, cancellationToken).ConfigureAwait(false));
        return read.Kvs is [var kv] ? Decode(kv) : null;
    }

    /// <summary>
    /// Objects under <paramref name="prefix"/> from <paramref name="startKey"/> on, at <paramref name="revision"/>
    /// (0: now), keeping those <paramref name="keep"/> accepts, until <paramref name="limit"/> are kept (0: all).
    /// </summary>
    public Task<ListPage<Stored>> ListAsync(string prefix, string? startKey, long revision, bool serializable, long limit, Func<JsonObject, bool> keep, CancellationToken cancellationToken) =>
        ScanAsync(prefix, startKey, revision, serializable, limit, kv => Decode(kv) is var stored && keep(stored.Object) ? stored : null, cancellationToken);

    /// <summary>As <see cref="ListAsync"/> without selectors, answering the stored bytes undecoded (for streaming a list out).</summary>
    public Task<ListPage<KeyValue>> ListRawAsync(string prefix, string? startKey, long revision, bool serializable, long limit, CancellationToken cancellationToken) =>
        ScanAsync(prefix, startKey, revision, serializable, limit, kv => kv, cancellationToken);

    private async Task<ListPage<T>> ScanAsync<T>(string prefix, string? startKey, long revision, bool serializable, long limit, Func<KeyValue, T?> select, CancellationToken cancellationToken)
        where T : class
    {
        var end = Bytes.PrefixEnd(Bytes.Of(prefix));
        var from = Bytes.Of(startKey ?? prefix);
        var items = new List<T>();
        var batch = limit > 0 ? Math.Max(limit + 1, 64) : 0;
        while (true)
        {
            var read = Check(await store.RangeAsync(new RangeRequest
            {
                Key = from, RangeEnd = end, Revision = revision, Serializable = serializable, Limit = batch,
            }, cancellationToken).ConfigureAwait(false));
            revision = revision > 0 ? revision : read.Revision;
            foreach (var kv in read.Kvs)
            {
                if (select(kv) is not { } item)
                {
                    continue;
                }
                if (limit > 0 && items.Count == limit)
                {
                    return new ListPage<T>(items, revision, Encoding.UTF8.GetString(kv.Key));
                }
                items.Add(item);
            }
            if (!read.More)
            {
                return new ListPage<T>(items, revision, null);
            }
            from = [.. read.Kvs[^1].Key, 0];
        }
    }

    /// <summary>Writes a new object; null when the key exists already.</summary>
    public async Task<long?> CreateAsync(string key, JsonObject obj, CancellationToken cancellationToken)
    {
        var txn = Check(await store.TxnAsync(new TxnRequest
        {
            Compare = [new Compare { Key = Bytes.Of(key), Target = CompareTarget.Create, Result = CompareResult.Equal, Number = 0 }],
            Success = [RequestOp.Of(new PutRequest { Key = Bytes.Of(key), Value = Encode(obj) })],
        }, cancellationToken).ConfigureAwait(false));
        return txn.Succeeded ? txn.Revision : null;
    }

    /// <summary>Replaces the object if its mod revision is still <paramref name="modRevision"/>; null otherwise.</summary>
    public async Task<long?> UpdateAsync(string key, JsonObject obj, long modRevision, CancellationToken cancellationToken)
    {
        var txn = Check(await store.TxnAsync(new TxnRequest
        {
            Compare = [new Compare { Key = Bytes.Of(key), Target = CompareTarget.Mod, Result = CompareResult.Equal, Number = modRevision }],
            Success = [RequestOp.Of(new PutRequest { Key = Bytes.Of(key), Value = Encode(obj) })],
        }, cancellationToken).ConfigureAwait(false));
        return txn.Succeeded ? txn.Revision : null;
    }

    /// <summary>Deletes the object if its mod revision is still <paramref name="modRevision"/>; the delete's revision, or null.</summary>
    public async Task<long?> DeleteAsync(string key, long modRevision, CancellationToken cancellationToken)
    {
        var txn = Check(await store.TxnAsync(new TxnRequest
        {
            Compare = [new Compare { Key = Bytes.Of(key), Target = CompareTarget.Mod, Result = CompareResult.Equal, Number = modRevision }],
            Success = [RequestOp.Of(new DeleteRangeRequest { Key = Bytes.Of(key) })],
        }, cancellationToken).ConfigureAwait(false));
        return txn.Succeeded ? txn.Revision : null;
    }

    /// <summary>The object a key-value holds, in the served form, with its resourceVersion.</summary>
    public Stored Decode(KeyValue kv)
    {
        var obj = JsonNode.Parse(kv.Value) as JsonObject ?? throw ApiError.Internal($"the object at {Encoding.UTF8.GetString(kv.Key)} is not a JSON object");
        if (served?.Conversion is { } conversion)
        {
            obj = conversion.FromStored(obj, served.ApiVersion);
        }
        obj.Metadata()["resourceVersion"] = kv.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Stored(obj, kv.ModRevision);
    }

    /// <summary>
    /// The stored JSON of an object with its resourceVersion put first into its top-level metadata, without
    /// parsing it into a tree (the reader only walks the top level to find where metadata opens).
    /// </summary>
    public static byte[] WithResourceVersion(byte[] json, long modRevision)
    {
        var reader = new Utf8JsonReader(json);
        var opened = -1L;
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMetadata = reader.ValueTextEquals("metadata"u8);
                reader.Read();
                if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
                {
                    opened = reader.TokenStartIndex;
                    break;
                }
                reader.Skip();
            }
        }
        if (opened < 0)
        {
            var obj = JsonNode.Parse(json) as JsonObject ?? throw ApiError.Internal("a stored object is not a JSON object");
            obj.Metadata()["resourceVersion"] = modRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Encoding.UTF8.GetBytes(obj.ToJsonString());
        }
        var at = (int)opened + 1;
        var empty = reader.Read() && reader.TokenType == JsonTokenType.EndObject;
        var field = Encoding.UTF8.GetBytes($"\"resourceVersion\":\"{modRevision.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"{(empty ? "" : ",")}");
        var stamped = new byte[json.Length + field.Length];
        json.AsSpan(0, at).CopyTo(stamped);
        field.CopyTo(stamped, at);
        json.AsSpan(at).CopyTo(stamped.AsSpan(at + field.Length));
        return stamped;
    }

    private byte[] Encode(JsonObject obj)
    {
        var copy = served?.Conversion is { } conversion ? conversion.ToStored(obj) : (JsonObject)obj.DeepClone();
        copy.Metadata().Remove("resourceVersion");
        return Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    /// <summary>The value of a store answer, or the API error a store failure is.</summary>
    public static T Check<T>(KvResult<T> result) => result.IsOk ? result.Value : throw ToApiError(result.Status, result.Error);

    public static ApiError ToApiError(KvStatus status, string? error) => status switch
    {
        KvStatus.Compacted => ApiError.Gone("too old resource version"),
        KvStatus.FutureRevision => ApiError.Timeout("Too large resource version"),
        KvStatus.RequestTooLarge => ApiError.TooLarge("Request entity too large: the object is over the store's 1.5 MiB limit"),
        KvStatus.NotLeader or KvStatus.Unavailable => ApiError.Unavailable(error ?? "the store is unavailable"),
        _ => ApiError.Internal(error ?? status.ToString()),
    };
}
