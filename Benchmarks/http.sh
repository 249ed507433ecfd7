#!/usr/bin/env bash
# The HTTP API's figures (issue #5) in one command:
#
#   Benchmarks/http.sh            # MCLOG_HTTP_MB=256 MiB of raw lines by default
#
# 1. Push throughput: ~1 MiB batches (Promtail's default) of real nginx lines in nine zone streams, as JSON and as
#    protobuf+snappy (Benchmarks/make-push-bodies.py), POSTed by 4 concurrent curl clients to a release
#    `mclog serve`, with the server pinned to one core (clients on the other) and unpinned. Reference in the same
#    run: `mclog import` of the same lines on one core. The ingestion rate limit is off, and curl is told not to
#    send `Expect: 100-continue` (it does for bodies over 1 MiB and then waits 1 s: mclog does not answer 100).
# 2. Query API overhead: a `query_range` returning 5,000 lines; the share of the request's wall time spent outside
#    the engine (1 - stats.summary.execTime / curl's time_total), median of 10.
# 3. Concurrency: a dashboard-style `query_range` with `step`, alone (median of 5) and 64 at once (p50/p99), and
#    the server's peak RSS.
# Writes Benchmarks/work/http-results.md. Needs curl, python3 with Tests/Integration/requirements.txt.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
WORK=${MCLOG_BENCH_WORK:-$BENCH_DIR/work}
BIN=${MCLOG_BENCH_BIN:-$REPO/.build/release/mclog}
MB=${MCLOG_HTTP_MB:-256}
PUSH=$WORK/push-$MB
RESULTS=$WORK/http-results.md
SOURCE=${MCLOG_HTTP_SOURCE:-$REPO/../shared/data/logs/elastic-examples/apache_access_combined.log}
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
now() { date +%s.%N; }
mkdir -p "$WORK"
if [[ -z ${MCLOG_BENCH_BIN:-} && ${MCLOG_BENCH_SKIP_BUILD:-0} != 1 ]]; then
    log "building release"; (cd "$REPO" && swift build -c release >/dev/null)
fi
if [[ ! -f $PUSH/raw-bytes ]]; then
    log "writing push bodies ($MB MiB)"; python3 "$BENCH_DIR/make-push-bodies.py" "$SOURCE" "$PUSH" "$MB"
fi
RAW=$(cat "$PUSH/raw-bytes")
RAWFILE=$(stat -c %s "$PUSH/lines.log")
CORES=$(nproc)

SERVER_PID=
start_server() { # $1 data dir, $2 taskset cpu list or ""
    rm -rf "$1"; local errlog=$WORK/serve.err
    # Loki's default per-tenant ingestion rate (4 MB/s) would measure the limiter, not the server.
    printf 'data: %s\nserver:\n  enforce_ingestion_rate: false\n' "$1" >"$WORK/serve.yaml"
    if [[ -n $2 ]]; then taskset -c "$2" "$BIN" serve --config "$WORK/serve.yaml" --listen 127.0.0.1:0 --otlp-listen none 2>"$errlog" &
    else "$BIN" serve --config "$WORK/serve.yaml" --listen 127.0.0.1:0 --otlp-listen none 2>"$errlog" & fi
    SERVER_PID=$!
    for _ in $(seq 200); do
        URL=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$errlog" | grep -o 'http://.*' || true); [[ -n $URL ]] && return 0; sleep 0.05
    done
    echo "server did not start" >&2; cat "$errlog" >&2; exit 1
}
stop_server() { [[ -n $SERVER_PID ]] || return 0; kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }
trap stop_server EXIT  # a failed step must not leave a server running (it would also hold an inherited lock)
push_all() { # $1 extension, $2 content type, $3 client cpu list or ""; prints seconds
    local t0 t1 codes
    t0=$(now)
    codes=$(ls "$PUSH"/*."$1" | ${3:+taskset -c $3} xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
        -H "Content-Type: $2" -H 'Expect:' --data-binary @{} "$URL/loki/api/v1/push" | sort | uniq -c)
    t1=$(now)
    [[ $(echo "$codes" | awk '{print $2}') == 204 ]] || { echo "push failed: $codes" >&2; exit 1; }
    echo "$t1 - $t0" | bc -l
}
mbps() { echo "scale=1; $RAW / $1 / 1000000" | bc -l; }
# The server's user+system CPU seconds so far: push is bounded by request round trips as much as by the server,
# so "per core" is reported per server CPU-second too.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$SERVER_PID/stat"; }

rows=()
log "reference: mclog import of the same lines, one core"
rm -rf "$WORK/http-import"
t0=$(now); taskset -c 0 "$BIN" import --data "$WORK/http-import" --labels '{job="nginx"}' --format nginx "$PUSH/lines.log" >/dev/null 2>&1; t1=$(now)
IMPORT=$(echo "$t1 - $t0" | bc -l)
rows+=("| mclog import (reference), 1 core | $(printf %.3f "$IMPORT") | $(echo "scale=1; $RAWFILE / $IMPORT / 1000000" | bc -l) MB/s | |")

for fmt in json pb; do
    ctype=application/json; [[ $fmt == pb ]] && ctype=application/x-protobuf
    name=JSON; [[ $fmt == pb ]] && name="protobuf+snappy"
    log "push $name, server on core 0"
    start_server "$WORK/http-data" 0
    C0=$(server_cpu); T1=$(push_all "$fmt" "$ctype" 1-$((CORES - 1))); C1=$(echo "$(server_cpu) - $C0" | bc -l); stop_server
    rows+=("| push $name, server pinned to 1 core | $(printf %.3f "$T1") | $(mbps "$T1") MB/s | vs import on 1 core: $(echo "scale=2; $IMPORT / $T1" | bc -l)×; server CPU $(printf %.2f "$C1") s = $(mbps "$C1") MB/s per server CPU-second |")
    log "push $name, all cores"
    start_server "$WORK/http-data" ""
    TA=$(push_all "$fmt" "$ctype" ""); stop_server
    rows+=("| push $name, all $CORES cores (clients share them) | $(printf %.3f "$TA") | $(mbps "$TA") MB/s | |")
done

log "query API overhead (5000 lines)"
start_server "$WORK/http-data" ""
push_all json application/json "" >/dev/null
curl -s -o /dev/null -X POST "$URL/flush"
START=$(( $(date +%s) - 2 * 86400 )); END=$(( $(date +%s) + 60 ))
overheads=()
for _ in $(seq 10); do
    # The body goes to a file: read through $(...) it reached bash in small pipe reads, and curl's time_total
    # (which ends after the last write) then counted the shell's reading as server time.
    total=$(curl -s -o "$WORK/query.json" -w '%{time_total}' "$URL/loki/api/v1/query_range" \
        --data-urlencode 'query={job="nginx"} |= "GET"' \
        --data-urlencode "start=$START" --data-urlencode "end=$END" --data-urlencode limit=5000 -G)
    exec=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(d["stats"]["summary"]["execTime"], sum(len(s["values"]) for s in d["result"]))' <"$WORK/query.json")
    overheads+=("$(echo "$exec $total" | awk '{printf "%.4f %.4f %.4f %d\n", 1 - $1 / $3, $1, $3, $2}')")
done
med=$(printf '%s\n' "${overheads[@]}" | sort -n | sed -n 5p)
rows+=("| query_range returning $(echo "$med" | awk '{print $4}') lines: engine / request time | $(echo "$med" | awk '{print $3}') | | outside the engine: $(echo "$med" | awk '{printf "%.1f %%", $1 * 100}') (median of 10) |")

log "64 concurrent dashboard queries"
Q='sum by (zone) (count_over_time({job="nginx"} |= "GET" [5m]))'
one() { curl -s -o /dev/null -w '%{time_total}\n' "$URL/loki/api/v1/query_range" --data-urlencode "query=$Q" \
    --data-urlencode "start=$START" --data-urlencode "end=$END" --data-urlencode step=300 -G; }
export -f one; export URL Q START END
single=$(for _ in $(seq 5); do one; done | sort -n | sed -n 3p)
lat=$(seq 64 | xargs -P 64 -I{} bash -c one | sort -n)
p50=$(echo "$lat" | sed -n 32p); p99=$(echo "$lat" | sed -n 64p)
rss=$(grep VmHWM "/proc/$SERVER_PID/status" | awk '{print $2}')
stop_server
rows+=("| dashboard query_range (step 5m over 2 days), alone | $single | | median of 5 |")
rows+=("| the same, 64 at once | p50 $p50, p99 $p99 | | p99 / alone: $(echo "scale=2; $p99 / $single" | bc -l)×; server peak RSS $((rss / 1024)) MiB |")

{
    echo "$(date -u +%FT%TZ) · mclog $(cd "$REPO" && git rev-parse --short HEAD) · $CORES cores · raw push data $(echo "scale=1; $RAW / 1048576" | bc -l) MiB ($(ls "$PUSH"/*.json | wc -l) batches per format)"
    echo
    echo "| Measurement | Time (s) | Throughput | Notes |"
    echo "|---|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$RESULTS"
