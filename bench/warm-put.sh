#!/usr/bin/env bash
# Puts (and reads) on one 3-member cluster (StateStore or etcd, loopback), with the members' CPU per operation: for
# A/B runs of two builds or two settings, and for profiles. Prints, per run, the rate, p50/p99 and the CPU seconds
# (utime + stime of the three members, from /proc; each member's in brackets) per 10,000 operations, then the
# members' CPU since they started.
#
# Usage: bench/warm-put.sh etcd|STATESTORE_BUILD_DIR BASE_PORT "RUN ..." [NAME=VALUE ...]
#   RUN                   INFLIGHT:COUNT (puts on the leader), or
#                         fput:INFLIGHT:COUNT   puts on a follower (forwarded to the leader)
#                         sget:INFLIGHT:COUNT   serializable gets of one 256 B key on a follower (as `compare`)
#                         get:INFLIGHT:COUNT    linearizable gets on a follower
#                         watch:RATE:SECONDS    puts at RATE/s on member 0, watched on member 1 (as `compare`; latency
#                                               is put sent -> event received)
#                         range:COUNT           sequential ranges of 1,000 keys of 256 B on the leader (as `compare`;
#                                               the keys are loaded before the measured run, outside its CPU)
#   STATESTORE_BUILD_DIR  a folder holding statestore.dll (copy src/StateStore.Cli/bin/Release/net10.0 to keep a build)
#   BASE_PORT             clients on BASE..BASE+2, peers on BASE+10.., API on BASE+20.. (pick below 32768)
#   NAME=VALUE            environment of the StateStore members (DOTNET_TieredPGO=0, STATESTORE_FAILPOINTS=...)
#   FLAGS='--flag value'  extra flags for every StateStore member (e.g. FLAGS='--snapshot-count 100000')
#   FRESH=1               skip the warm-up (3,000 puts at 16 in flight), as `loadgen compare` runs
#   HOOK='command'        run alongside each measured run, with PIDS (the members) and INF set, e.g.
#                         HOOK='sleep 2; perf record -F 499 -g -p ${PIDS// /,} -o /tmp/p-$INF.data -- sleep 10'
#                         (with DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 for managed frames)
#   DATA=/dev/shm         where the members' data go (default /tmp): tmpfs takes the disk syncs out, for both systems
# Member data and output go to DATA/warm-put-BASE_PORT (removed at the start of the next run on that port).
set -uo pipefail
SYS=$1; BASE=$2; RUNS=$3; shift 3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
L="dotnet $ROOT/bench/StateStore.LoadGen/bin/Release/net10.0/loadgen.dll"
W=${DATA:-/tmp}/warm-put-$BASE; rm -rf "$W"; mkdir -p "$W"
peer() { echo "http://127.0.0.1:$((BASE + 10 + $1))"; }
init="m0=$(peer 0),m1=$(peer 1),m2=$(peer 2)"
pids=(); eps=""
for i in 0 1 2; do
  c=http://127.0.0.1:$((BASE + i)); eps="$eps${eps:+,}$c"
  common="--name m$i --data-dir $W/m$i --listen-client-urls $c --listen-peer-urls $(peer $i) --initial-cluster $init --initial-cluster-state new --heartbeat-interval 100 --election-timeout 1000"
  if [ "$SYS" = etcd ]; then
    etcd $common --advertise-client-urls "$c" --initial-advertise-peer-urls "$(peer $i)" --logger zap --log-outputs "$W/m$i.log" >/dev/null 2>&1 &
  else
    env "$@" dotnet "$SYS/statestore.dll" server $common --listen-api-urls "http://127.0.0.1:$((BASE + 20 + i))" ${FLAGS:-} >"$W/m$i.out" 2>&1 &
  fi
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
# A put fails (loadgen exits with an exception) until a leader is elected; the subshells keep bash quiet about it.
for _ in $(seq 60); do sleep 1; ($L put --endpoints "$eps" --inflight 1 --count 1; exit $?) >/dev/null 2>&1 && break; done
ticks() { local s=0; for p in "${pids[@]}"; do s=$((s + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $s; }
hz=$(getconf CLK_TCK)
[ -z "${FRESH:-}" ] && { ($L put --endpoints "$eps" --inflight 16 --count 3000; exit $?) >/dev/null 2>"$W/warm-up.err" || echo "warm-up failed: $(head -1 "$W/warm-up.err")"; }
each() { for p in "${pids[@]}"; do awk '{printf "%d ", $14 + $15}' "/proc/$p/stat"; done; }
per10k() { echo "scale=2; $1 / $hz * 10000 / $2" | bc; }
for run in $RUNS; do
  IFS=: read -r a b c <<<"$run"
  case $a in
    sget|get) op=$a; inf=$b; n=$c; args=(get --target follower --inflight "$inf" --count "$n"); [ "$op" = sget ] && args+=(--serializable) ;;
    watch) op=watch; inf=$b; n=$((b * c)); args=(watch --rate "$b" --seconds "$c") ;;
    fput) op=fput; inf=$b; n=$c; args=(put --target follower --inflight "$inf" --count "$n") ;;
    range) op=range; inf=1; n=$b; args=(range --target leader --keys 1000 --count "$n" --no-load)
      ($L range --endpoints "$eps" --keys 1000 --count 1; exit $?) >/dev/null 2>"$W/range-load.err" || echo "range load failed: $(head -1 "$W/range-load.err")" ;;
    *) op=put; inf=$a; n=$b; args=(put --inflight "$inf" --count "$n") ;;
  esac
  if [ -n "${HOOK:-}" ]; then PIDS="${pids[*]}" INF=$inf OP=$op bash -c "$HOOK" & hook=$!; fi
  e0=($(each)); t0=$(ticks); out=$($L "${args[@]}" --endpoints "$eps"); t1=$(ticks); e1=($(each))
  [ -n "${HOOK:-}" ] && wait $hook
  m=""; for i in 0 1 2; do m="$m${m:+ }$(per10k $((e1[i] - e0[i])) "$n")"; done
  echo "$SYS $op@$inf n=$n $(echo "$out" | grep -o 'rate=.*p99=[ 0-9.]*ms' | tr -s ' ') cpu/10k=$(per10k $((t1 - t0)) "$n")s [$m] load=$(cut -d' ' -f1 /proc/loadavg)"
done
echo "$SYS $* member cpu since start=$(echo "scale=2; $(ticks) / $hz" | bc)s"
