using System.Text.Json.Nodes;
using StateStore.Jepsen.Core.Model;
using StateStore.Testing.Processes;

namespace StateStore.Jepsen.Core.Traffic;

/// <summary>
/// A watcher of the Kubernetes-shaped workload's objects, as client-go's reflector runs one through the API server:
/// LIST, then WATCH from the list's resourceVersion with bookmarks; when the stream breaks or goes quiet it resumes
/// on the next member from the last resourceVersion it saw (an event's or a bookmark's), in a new session. Every
/// event is recorded in the etcd watch's terms (revision = resourceVersion, key = the object's etcd key, value =
/// the jepsen/v annotation) for the watch checks; a bookmark is a promise that nothing at or below it is still to come, and an
/// event that breaks one is recorded as a violation.
/// </summary>
public sealed class KubeWatcher(string name, IReadOnlyList<ServerProcess> members, int first, History history) : IWatchRecorder
{
    private readonly List<ObservedEvent> _events = [];
    private readonly List<string> _broken = [];
    private long _resourceVersion = -1;
    private long _start;
    private int _member = first;

    public string Name => name;

    /// <summary>The revision of the last event or bookmark received (0 before any).</summary>
    public long LastRevision => Math.Max(0, Interlocked.Read(ref _resourceVersion));

    /// <summary>Events that came at or below a bookmark already received, as "what, where".</summary>
    public IReadOnlyList<string> BrokenBookmarks
    {
        get
        {
            lock (_events)
            {
                return [.. _broken];
            }
        }
    }

    public WatchLog Log()
    {
        lock (_events)
        {
            return new WatchLog(name, _start, [.. _events]);
        }
    }

    public async Task RunAsync(TimeSpan idle, CancellationToken stop)
    {
        var (session, response, bookmark) = (0, 0, 0L);
        while (!stop.IsCancellationRequested)
        {
            var member = members[_member];
            using var http = new HttpClient { BaseAddress = new Uri(member.Config.ApiUrl), Timeout = Timeout.InfiniteTimeSpan };
            using var streamStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            try
            {
                if (Interlocked.Read(ref _resourceVersion) < 0)
                {
                    streamStop.CancelAfter(idle);
                    var list = JsonNode.Parse(await http.GetStringAsync(KubeObjects.Path, streamStop.Token))!;
                    var listed = long.Parse(list["metadata"]!["resourceVersion"]!.GetValue<string>());
                    _start = listed + 1;
                    Interlocked.Exchange(ref _resourceVersion, listed);
                }
                var path = $"{KubeObjects.Path}?watch=true&allowWatchBookmarks=true&resourceVersion={LastRevision}";
                using var answer = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, streamStop.Token);
                answer.EnsureSuccessStatusCode();
                using var lines = new StreamReader(await answer.Content.ReadAsStreamAsync(streamStop.Token));
                streamStop.CancelAfter(idle);
                while (await lines.ReadLineAsync(streamStop.Token) is { } line)
                {
                    streamStop.CancelAfter(idle);
                    var e = JsonNode.Parse(line)!;
                    var type = e["type"]!.GetValue<string>();
                    var obj = e["object"]!;
                    if (type == "ERROR")
                    {
                        throw new InvalidOperationException($"{name}: {member.Name} ended the watch: {obj["code"]} {obj["reason"]} {obj["message"]}");
                    }
                    var rv = long.Parse(obj["metadata"]!["resourceVersion"]!.GetValue<string>());
                    if (type == "BOOKMARK")
                    {
                        bookmark = Math.Max(bookmark, rv);
                    }
                    else
                    {
                        Receive(type, obj, rv, bookmark, member.Name, session, response++);
                    }
                    Interlocked.Exchange(ref _resourceVersion, Math.Max(Interlocked.Read(ref _resourceVersion), rv));
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !stop.IsCancellationRequested)
            {
                // Broken or silent: resume elsewhere from the last resourceVersion seen, as the reflector does.
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
            _member = (_member + 1) % members.Count;
            await Task.Delay(200, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Receive(string type, JsonNode obj, long rv, long bookmark, string member, int session, int response)
    {
        var key = KubeObjects.Prefix + obj["metadata"]!["name"]!.GetValue<string>();
        var delete = type == "DELETED";
        var observed = new WatchEvent(rv, key, delete, delete ? null : KubeObjects.ValueOf(obj as JsonObject));
        lock (_events)
        {
            _events.Add(new ObservedEvent(observed, member, session, response, history.NowNs));
            if (rv <= bookmark)
            {
                _broken.Add($"{observed} from {member} after a bookmark at {bookmark}");
            }
        }
    }
}
