using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>
/// A watcher of the workload's prefix, as clientv3 runs one: a Watch stream on one member from a start
/// revision; when the stream breaks (the member was killed, or stopped answering), it resumes on the next
/// member from the revision after the last event it received, in a new session. Records every event with
/// the member, session and response it came in.
/// </summary>
public sealed class Watcher : IWatchRecorder
{
    private readonly List<ObservedEvent> _events = [];
    private readonly IReadOnlyList<ServerProcess> _members;
    private readonly History _history;
    private readonly BrokenStore? _store;
    private readonly int _index;
    private readonly string _prefix;
    private readonly Func<string, string?> _valueOf;
    private long _next;
    private int _member;

    /// <summary>
    /// A watcher of keys under <paramref name="prefix"/> from <paramref name="startRevision"/>, on
    /// <paramref name="members"/> starting with the one at <paramref name="first"/>; <paramref name="index"/> says
    /// which watcher it is (the broken store drops events of watcher 0 only); <paramref name="valueOf"/> says what a
    /// stored value means to the checks (the Kubernetes workload's jepsen/v annotation), the value itself when null.
    /// </summary>
    public Watcher(string name, int index, IReadOnlyList<ServerProcess> members, int first, string prefix, long startRevision, History history, BrokenStore? store, Func<string, string?>? valueOf = null)
    {
        _valueOf = valueOf ?? (v => v);
        Name = name;
        _index = index;
        _members = members;
        _member = first;
        _prefix = prefix;
        _next = startRevision;
        StartRevision = startRevision;
        _history = history;
        _store = store;
    }

    public string Name { get; }

    public long StartRevision { get; }

    /// <summary>The revision of the last event received (0 before any).</summary>
    public long LastRevision => Interlocked.Read(ref _next) - 1;

    public WatchLog Log()
    {
        lock (_events)
        {
            return new WatchLog(Name, StartRevision, [.. _events]);
        }
    }

    /// <summary>Watches until <paramref name="stop"/>, resuming on the next member whenever a stream breaks or goes quiet for <paramref name="idle"/>.</summary>
    public async Task RunAsync(TimeSpan idle, CancellationToken stop)
    {
        var session = 0;
        var response = 0;
        while (!stop.IsCancellationRequested)
        {
            var member = _members[_member];
            using var streamStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            try
            {
                using var call = member.Watch.Watch(cancellationToken: streamStop.Token);
                var end = ByteString.CopyFromUtf8(_prefix[..^1] + (char)(_prefix[^1] + 1));
                await call.RequestStream.WriteAsync(new WatchRequest
                {
                    CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(_prefix), RangeEnd = end, StartRevision = Interlocked.Read(ref _next) },
                }, streamStop.Token);
                streamStop.CancelAfter(idle);
                while (await call.ResponseStream.MoveNext(streamStop.Token))
                {
                    streamStop.CancelAfter(idle);
                    var current = call.ResponseStream.Current;
                    if (current.Canceled)
                    {
                        throw new InvalidOperationException($"{Name}: {member.Name} cancelled the watch: {current.CancelReason} (compact revision {current.CompactRevision})");
                    }
                    Receive(current, member.Name, session, response++);
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or IOException && !stop.IsCancellationRequested)
            {
                // Broken or silent: resume elsewhere, as clientv3 does when its endpoint goes away.
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            if (stop.IsCancellationRequested)
            {
                return;
            }
            session++;
            _member = (_member + 1) % _members.Count;
            await Task.Delay(200, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Receive(WatchResponse response, string member, int session, int number)
    {
        var received = _history.NowNs;
        foreach (var e in response.Events)
        {
            var kv = e.Kv;
            var observed = new WatchEvent(kv.ModRevision, kv.Key.ToStringUtf8(), e.Type == Mvccpb.Event.Types.EventType.Delete,
                e.Type == Mvccpb.Event.Types.EventType.Delete ? null : _valueOf(kv.Value.ToStringUtf8()));
            if (_store?.Drop(_index, observed) != true)
            {
                lock (_events)
                {
                    _events.Add(new ObservedEvent(observed, member, session, number, received));
                }
            }
            Interlocked.Exchange(ref _next, Math.Max(Interlocked.Read(ref _next), kv.ModRevision + 1));
        }
    }
}
