#!/usr/bin/env bash
# One line per member from its Prometheus /metrics (etcd's client URL, or a StateStore member's API URL): whether it
# leads, its commit index, its WAL syncs (count, mean, per committed entry) and, for StateStore, the mean time a peer
# took to answer its Raft requests. For HOOK= in warm-put.sh, to put the two systems' own disk numbers side by side.
# Usage: bench/scrape-metrics.sh URL...
for u in "$@"; do
  curl -s "$u/metrics" | awk -v u="$u" '
    /^etcd_disk_wal_fsync_duration_seconds_sum/ { s = $2 }
    /^etcd_disk_wal_fsync_duration_seconds_count/ { c = $2 }
    /^etcd_server_is_leader/ { l = $2 }
    /^etcd_server_proposals_committed_total/ { p = $2 }
    /^statestore_raft_peer_response_seconds_sum/ { rs = $2 }
    /^statestore_raft_peer_response_seconds_count/ { rc = $2 }
    END { printf "%s leader=%s committed=%s syncs=%d mean=%.3fms syncs/commit=%.2f peer-answer-mean=%s\n",
          u, l, p, c, (c > 0 ? 1000 * s / c : 0), (p > 0 ? c / p : 0), (rc > 0 ? sprintf("%.3fms", 1000 * rs / rc) : "-") }'
done
