using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StateStore.ApiServer.Http;
using StateStore.ApiServer.Objects;
using StateStore.ApiServer.Selectors;
using StateStore.ApiServer.Storage;
using StateStore.Kv;

namespace StateStore.ApiServer.Registry;

internal sealed partial class ResourceRegistry
{
    /// <summary>How often a watch that allows bookmarks gets one when nothing else happens.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// WATCH: newline-delimited JSON events from the store's watch on the type's prefix. Without a resourceVersion
    /// (or "0", or with sendInitialEvents) every existing object comes first as ADDED; from N, the changes after N.
    /// Selectors turn an object moving in or out of them into ADDED or DELETED, as Kubernetes does. A compacted
    /// start is an ERROR event with a 410 Status. <paramref name="render"/> shapes each object (a one-row Table for
    /// kubectl get -w). Never goes back, never skips, never repeats: it is the store's
    /// watch, whole revisions in order.
    /// </summary>
    public async Task WatchAsync(ApiRequest request, Func<JsonObject, JsonObject>? render = null)
    {
        // Without selectors, conversion or rendering, events are written from the stored bytes (never parsed).
        var raw = render is null && CanStream(request);
        render ??= o => o;
        var labels = LabelSelector.Parse(request.Query("labelSelector"));
        var fields = FieldSelector.Parse(request.Query("fieldSelector"));
        bool Matches(JsonObject o) => labels.Matches(o.Labels()) && fields.Matches(o);
        var rv = request.Query("resourceVersion");
        var initial = request.QueryFlag("sendInitialEvents") || string.IsNullOrEmpty(rv) || rv == "0";
        var bookmarks = request.QueryFlag("allowWatchBookmarks");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(request.Aborted);
        if (ParseLong(request, "timeoutSeconds") is { } seconds)
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        var response = request.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var prefix = request.Type.PrefixOf(request.Namespace);
        var objects = Objects(request);
        long from;
        if (initial)
        {
            long listed;
            if (raw)
            {
                var page = await store.ListRawAsync(prefix, null, 0, serializable: rv == "0", 0, deadline.Token).ConfigureAwait(false);
                foreach (var kv in page.Items)
                {
                    await WriteEventAsync(response, "ADDED", ObjectStore.WithResourceVersion(kv.Value, kv.ModRevision), deadline.Token).ConfigureAwait(false);
                }
                listed = page.Revision;
            }
            else
            {
                var page = await objects.ListAsync(prefix, null, 0, serializable: rv == "0", 0, Matches, deadline.Token).ConfigureAwait(false);
                foreach (var item in page.Items)
                {
                    await WriteEventAsync(response, "ADDED", render(item.Object), deadline.Token).ConfigureAwait(false);
                }
                listed = page.Revision;
            }
            if (request.QueryFlag("sendInitialEvents") && bookmarks)
            {
                await WriteEventAsync(response, "BOOKMARK", Bookmark(request, listed, initialEventsEnd: true), deadline.Token).ConfigureAwait(false);
            }
            from = listed + 1;
        }
        else
        {
            from = ParseRv(rv!) + 1;
        }
        await response.Body.FlushAsync(deadline.Token).ConfigureAwait(false);
        var opened = await store.Kv.WatchAsync(new WatchRequest
        {
            Key = Bytes.Of(prefix), RangeEnd = Bytes.PrefixEnd(Bytes.Of(prefix)), StartRevision = from, PrevKv = true,
        }, deadline.Token).ConfigureAwait(false);
        await using var watch = ObjectStore.Check(opened);
        var covered = from - 1;
        try
        {
            var next = watch.ReadAsync(deadline.Token).AsTask();
            while (true)
            {
                if (bookmarks && await Task.WhenAny(next, Task.Delay(BookmarkInterval, deadline.Token)).ConfigureAwait(false) != next)
                {
                    await WriteEventAsync(response, "BOOKMARK", Bookmark(request, covered, initialEventsEnd: false), deadline.Token).ConfigureAwait(false);
                    continue;
                }
                var delivery = await next.ConfigureAwait(false);
                if (delivery.IsEnd)
                {
                    if (delivery.EndReason == WatchEndReason.Compacted)
                    {
                        await WriteEventAsync(response, "ERROR", ApiError.Gone($"too old resource version: {from - 1} ({delivery.CompactRevision})").ToStatus(), deadline.Token).ConfigureAwait(false);
                    }
                    return;
                }
                foreach (var e in delivery.Events)
                {
                    if (raw)
                    {
                        await WriteRawEventAsync(response, e, deadline.Token).ConfigureAwait(false);
                    }
                    else if (ToWatchEvent(objects, e, Matches) is var (type, obj))
                    {
                        await WriteEventAsync(response, type, render(obj), deadline.Token).ConfigureAwait(false);
                    }
                }
                covered = delivery.Revision;
                next = watch.ReadAsync(deadline.Token).AsTask();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // timeoutSeconds passed, or the client went away: the stream ends.
        }
    }

    /// <summary>The API event for a store event, or null when the selectors hide it before and after.</summary>
    private static (string Type, JsonObject Object)? ToWatchEvent(ObjectStore objects, WatchEvent e, Func<JsonObject, bool> matches)
    {
        var previous = e.PrevKv is null ? null : objects.Decode(e.PrevKv).Object;
        var wasIn = previous is not null && matches(previous);
        if (e.Type == EventType.Delete)
        {
            if (previous is null || !wasIn)
            {
                return null;
            }
            previous.Metadata()["resourceVersion"] = Rv(e.Kv.ModRevision);
            return ("DELETED", previous);
        }
        var current = objects.Decode(e.Kv).Object;
        var isIn = matches(current);
        return (wasIn, isIn) switch
        {
            (true, true) => ("MODIFIED", current),
            (false, true) => ("ADDED", current),
            (true, false) => ("DELETED", current),
            _ => null,
        };
    }

    private static JsonObject Bookmark(ApiRequest request, long revision, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = Rv(revision) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }
        return new JsonObject { ["kind"] = request.Type.Kind, ["apiVersion"] = request.Type.ApiVersion, ["metadata"] = metadata };
    }

    private static Task WriteEventAsync(HttpResponse response, string type, JsonObject obj, CancellationToken cancellationToken) =>
        WriteEventAsync(response, type, Encoding.UTF8.GetBytes(obj.ToJsonString()), cancellationToken);

    /// <summary>A store event as an API event, from its bytes: ADDED when the key had no previous value, DELETED with the last state.</summary>
    private static Task WriteRawEventAsync(HttpResponse response, WatchEvent e, CancellationToken cancellationToken) =>
        e.Type == EventType.Delete
            ? e.PrevKv is null ? Task.CompletedTask : WriteEventAsync(response, "DELETED", ObjectStore.WithResourceVersion(e.PrevKv.Value, e.Kv.ModRevision), cancellationToken)
            : WriteEventAsync(response, e.PrevKv is null ? "ADDED" : "MODIFIED", ObjectStore.WithResourceVersion(e.Kv.Value, e.Kv.ModRevision), cancellationToken);

    private static async Task WriteEventAsync(HttpResponse response, string type, byte[] obj, CancellationToken cancellationToken)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var line = new byte[head.Length + obj.Length + 2];
        head.CopyTo(line, 0);
        obj.CopyTo(line, head.Length);
        line[^2] = (byte)'}';
        line[^1] = (byte)'\n';
        await response.Body.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
