using StateStore.Jepsen.Core.Model;
using StateStore.Jepsen.Core.Run;

namespace StateStore.Jepsen.Tests.Run;

/// <summary>
/// Kubernetes-shaped traffic through the members' API servers while the leader is killed and a follower paused:
/// ConfigMaps read, created, replaced and replaced with a resourceVersion (409 Conflict when it is stale), deleted
/// plainly and with a resourceVersion precondition (a compare-and-delete: 409 or 404 when it fails), watched by
/// list+watch reflectors with bookmarks that resume on the next member. The same checks as the register workload:
/// linearizable per object, reliable and ordered watches, acknowledged writes committed, members converged.
/// </summary>
public sealed class KubernetesWorkloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Objects_through_the_api_server_stay_linearizable_and_their_watches_reliable_under_faults()
    {
        var result = await HarnessRuns.RunToPassAsync(HarnessRuns.KillLeaderThenPause("kubernetes", Workload.Kubernetes), output);

        var history = result.Verdict.History;
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Type: OpType.Cas, Succeeded: true });
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Type: OpType.Cas, Succeeded: false } && o.Error!.StartsWith("409", StringComparison.Ordinal));
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Type: OpType.Delete, Succeeded: true });
        Assert.Contains(history, o => o is { Outcome: Outcome.Ok, Type: OpType.CompareAndDelete });
        Assert.True(result.Verdict.Watches.All(w => w.Events.Count > 0), "a reflector received nothing");
        Assert.True(result.Verdict.Watches.All(w => w.Events.Any(e => e.Event.Delete)), "a reflector received no DELETED event");
        Assert.All(history, o => Assert.StartsWith("/registry/pods/jepsen/", o.Key));
    }
}
