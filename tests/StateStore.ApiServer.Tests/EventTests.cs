using k8s;
using k8s.Models;

namespace StateStore.ApiServer.Tests;

/// <summary>
/// Events are one set of objects served in two versions: an events.k8s.io/v1 Event is a core/v1 Event in storage,
/// so each API sees what the other wrote, in its own field names (regarding ↔ involvedObject, note ↔ message).
/// </summary>
public sealed class EventTests : ApiTestBase
{
    private static readonly CancellationToken Ct = StateStore.Testing.TestTimeout.Token();

    private static readonly DateTime At = new(2026, 11, 28, 23, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task An_events_k8s_io_event_is_a_core_event_and_back()
    {
        var created = await Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "pod-a.1" },
            EventTime = At,
            Regarding = new V1ObjectReference { Kind = "Pod", Name = "pod-a", NamespaceProperty = "default" },
            Note = "Pulled image busybox",
            Reason = "Pulled",
            Type = "Normal",
            Action = "Pull",
            ReportingController = "statestore/kubelet",
            ReportingInstance = "node-1",
        }, "default", cancellationToken: Ct);

        var core = await Client.CoreV1.ReadNamespacedEventAsync("pod-a.1", "default", cancellationToken: Ct);
        Assert.Equal("v1", core.ApiVersion);
        Assert.Equal("pod-a", core.InvolvedObject.Name);
        Assert.Equal("Pulled image busybox", core.Message);
        Assert.Equal("statestore/kubelet", core.ReportingComponent);
        Assert.Equal(created.Metadata.ResourceVersion, core.Metadata.ResourceVersion);

        core.Message = "Pulled image busybox:1.36";
        core.Count = 2;
        await Client.CoreV1.ReplaceNamespacedEventAsync(core, "pod-a.1", "default", cancellationToken: Ct);
        var again = await Client.EventsV1.ReadNamespacedEventAsync("pod-a.1", "default", cancellationToken: Ct);
        Assert.Equal("events.k8s.io/v1", again.ApiVersion);
        Assert.Equal("Pulled image busybox:1.36", again.Note);
        Assert.Equal(2, again.DeprecatedCount);
        Assert.Equal("pod-a", again.Regarding.Name);
    }

    [Fact]
    public async Task Both_versions_list_the_same_events_with_field_selectors_on_their_own_field_names()
    {
        await Client.CoreV1.CreateNamespacedEventAsync(CoreEvent("a.1", "a"), "default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedEventAsync(CoreEvent("b.1", "b"), "default", cancellationToken: Ct);

        var listed = await Client.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "regarding.name=b", cancellationToken: Ct);
        Assert.Equal(["b.1"], listed.Items.Select(e => e.Metadata.Name));
        Assert.Equal(2, (await Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct)).Items.Count);
        var core = await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=a", cancellationToken: Ct);
        Assert.Equal(["a.1"], core.Items.Select(e => e.Metadata.Name));
    }

    [Fact]
    public async Task A_core_event_written_after_a_watch_starts_reaches_an_events_k8s_io_watcher()
    {
        var list = await Client.EventsV1.ListNamespacedEventAsync("default", cancellationToken: Ct);
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, e) in Client.EventsV1.WatchListNamespacedEventAsync("default", resourceVersion: list.Metadata.ResourceVersion,
                timeoutSeconds: 30, onError: e => throw e, cancellationToken: Ct))
            {
                return $"{type} {e.Metadata.Name} {e.Regarding.Name} {e.Note} {e.ApiVersion}";
            }
            return "none";
        });

        await Client.CoreV1.CreateNamespacedEventAsync(CoreEvent("c.1", "c"), "default", cancellationToken: Ct);

        Assert.Equal("Added c.1 c happened events.k8s.io/v1", await watching.WaitAsync(Ct));
    }

    private static Corev1Event CoreEvent(string name, string pod) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = "default" },
        Message = "happened",
        Reason = "Test",
        Type = "Normal",
        FirstTimestamp = At,
        LastTimestamp = At,
    };
}
