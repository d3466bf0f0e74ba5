using k8s;
using k8s.Models;
using StateStore.Kv;

namespace StateStore.ApiServer.Tests;

/// <summary>The official client's watch: from a resourceVersion, with bookmarks, initial events, selectors and 410 after compaction.</summary>
public sealed class WatchTests : ApiTestBase
{
    protected override TimeSpan? BookmarkInterval => TimeSpan.FromMilliseconds(200);

    private static readonly CancellationToken Ct = StateStore.Testing.TestTimeout.Token();

    private IAsyncEnumerable<(WatchEventType Type, V1ConfigMap Object)> Watch(string? resourceVersion, bool bookmarks = false, string? labelSelector = null, Action<Exception>? onError = null) =>
        Client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: resourceVersion, allowWatchBookmarks: bookmarks,
            labelSelector: labelSelector, timeoutSeconds: 30, onError: onError ?? (e => throw e), cancellationToken: Ct);

    [Fact]
    public async Task A_watch_from_a_resourceVersion_sees_every_later_change_in_order()
    {
        var a = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), "default");
        a.Data["k"] = "changed";
        var changed = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", "default");
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("b", "default");

        var seen = new List<string>();
        await foreach (var (type, obj) in Watch(a.Metadata.ResourceVersion))
        {
            seen.Add($"{type} {obj.Metadata.Name} {obj.Metadata.ResourceVersion}");
            if (seen.Count == 3)
            {
                break;
            }
        }

        var rv = long.Parse(a.Metadata.ResourceVersion);
        Assert.Equal([$"Added b {rv + 1}", $"Modified a {changed.Metadata.ResourceVersion}", $"Deleted b {rv + 3}"], seen);
    }

    [Fact]
    public async Task Without_a_resourceVersion_existing_objects_come_first_then_changes()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("old"), "default");
        var seen = new List<string>();
        await foreach (var (type, obj) in Watch(null))
        {
            seen.Add($"{type} {obj.Metadata.Name}");
            if (seen.Count == 1)
            {
                await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("new"), "default");
            }
            if (seen.Count == 2)
            {
                break;
            }
        }
        Assert.Equal(["Added old", "Added new"], seen);
    }

    [Fact]
    public async Task Bookmarks_carry_a_resourceVersion_covering_what_was_delivered()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default");
        var bookmarks = new List<long>();
        await foreach (var (type, obj) in Watch(created.Metadata.ResourceVersion, bookmarks: true))
        {
            Assert.Equal(WatchEventType.Bookmark, type);
            bookmarks.Add(long.Parse(obj.Metadata.ResourceVersion));
            if (bookmarks.Count == 2)
            {
                break;
            }
        }
        Assert.All(bookmarks, b => Assert.Equal(long.Parse(created.Metadata.ResourceVersion), b));
    }

    [Fact]
    public async Task A_selector_turns_objects_moving_in_and_out_into_added_and_deleted()
    {
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"on\":\"yes\"}}}", V1Patch.PatchType.MergePatch), "a", "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"k\":\"2\"}}", V1Patch.PatchType.MergePatch), "a", "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"on\":\"no\"}}}", V1Patch.PatchType.MergePatch), "a", "default");

        var seen = new List<WatchEventType>();
        await foreach (var (type, _) in Watch(created.Metadata.ResourceVersion, labelSelector: "on=yes"))
        {
            seen.Add(type);
            if (seen.Count == 3)
            {
                break;
            }
        }
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen);
    }

    [Fact]
    public async Task A_watch_from_a_compacted_resourceVersion_gets_410_Gone()
    {
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), "default");
        var later = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), "default");
        Assert.True(Host.Store.Compact(new CompactRequest { Revision = long.Parse(later.Metadata.ResourceVersion) }).IsOk);

        Exception? error = null;
        await foreach (var _ in Watch((long.Parse(first.Metadata.ResourceVersion) - 1).ToString(), onError: e => error = e))
        {
            Assert.Fail("a compacted watch delivered an event");
        }

        var gone = Assert.IsType<KubernetesException>(error);
        Assert.Equal(410, gone.Status.Code);
        Assert.Equal("Expired", gone.Status.Reason);
    }
}
