using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StateStore.Raft;

namespace StateStore.Server.Metrics;

/// <summary>
/// <c>/metrics</c> in Prometheus's text format, under etcd's names where etcd has the same measurement (so its
/// dashboards and alerts read a StateStore member), and <c>statestore_</c> names for the rest. Served on every
/// listener; scrapers speaking HTTP/1.1 use the API URL (the client URLs speak HTTP/2 only).
/// </summary>
internal static class MetricsEndpoint
{
    public static void MapMetrics(this WebApplication app, RaftMember member)
    {
        DotNextMeters.EnsureListening();
        app.MapGet("/metrics", async (CancellationToken ct) => Results.Text(await RenderAsync(member, ct).ConfigureAwait(false), MetricsText.ContentType));
    }

    private static async Task<string> RenderAsync(RaftMember member, CancellationToken cancellationToken)
    {
        var status = await member.Store.StatusAsync(cancellationToken).ConfigureAwait(false);
        var text = new MetricsText();
        text.Gauge("etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.", status.LeaderId != 0 ? 1 : 0);
        text.Gauge("etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.", member.IsLeader ? 1 : 0);
        text.Counter("etcd_server_leader_changes_seen_total", "The number of leader changes seen.", member.LeaderChangesSeen);
        text.Gauge("etcd_server_proposals_committed_total", "The total number of consensus proposals committed (the Raft commit index).", member.CommittedIndex);
        text.Gauge("etcd_server_proposals_applied_total", "The total number of consensus proposals applied (the Raft applied index).", status.RaftAppliedIndex);
        text.Gauge("etcd_debugging_mvcc_current_revision", "The current revision of store.", status.Revision);
        text.Gauge("etcd_mvcc_db_total_size_in_bytes", "Total size of the underlying database physically allocated in bytes.", status.DbSizeBytes);
        text.Histogram("etcd_disk_wal_fsync_duration_seconds", "The latency distributions of fsync called by WAL: one DotNext WAL flush (msync of the data and metadata pages, then its O_DSYNC checkpoint write).", DotNextMeters.WalFlush);
        text.Histogram("statestore_raft_apply_duration_seconds", "Time to apply a batch of committed entries to the store.", DotNextMeters.Apply);
        text.Histogram("statestore_raft_peer_response_seconds", "Time for a peer to answer a Raft request (AppendEntries, heartbeat, vote), measured by the sender.", DotNextMeters.PeerResponse);
        using var self = Process.GetCurrentProcess();
        text.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", self.TotalProcessorTime.TotalSeconds);
        text.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", self.WorkingSet64);
        text.Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeSeconds());
        return text.ToString();
    }
}
