using StateStore.Jepsen.Core.Model;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>A watcher that records what it receives for the watch checks: through the etcd API (<see cref="Watcher"/>) or the Kubernetes API (<see cref="KubeWatcher"/>).</summary>
public interface IWatchRecorder
{
    string Name { get; }

    /// <summary>The highest revision it is known to have everything up to (0 before any).</summary>
    long LastRevision { get; }

    WatchLog Log();

    /// <summary>Watches until <paramref name="stop"/>, resuming on the next member whenever a stream breaks or goes quiet for <paramref name="idle"/>.</summary>
    Task RunAsync(TimeSpan idle, CancellationToken stop);

    /// <summary>Waits until the watcher has reached revision <paramref name="revision"/>; false if it has not by <paramref name="timeout"/>.</summary>
    async Task<bool> WaitForRevisionAsync(long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (LastRevision < revision && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }
        return LastRevision >= revision;
    }
}
