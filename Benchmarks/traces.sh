#!/usr/bin/env bash
# The span store's figures (issue #6) in one command:
#
#   Benchmarks/traces.sh                  # MCLOG_TRACE_SPANS=1000000 spans by default
#
# `mclog debug-trace-bench` (Sources/mclog/DebugTraceBenchCommand.swift) generates traces of 10 spans over 20
# services (4 attributes per span, 2 per resource), encodes them as 1,000-span OTLP protobuf requests, then:
# 1. ingest: decode + split by trace + WAL append and fsync + head, per CPU-second (user+sys), with decoding alone
#    measured in the same run as the reference; then the flush of the head into blocks;
# 2. trace by id: the store reopened read-only, so every lookup reads a block (bloom, sorted ids, one page);
#    p50/p99 over 2,000 lookups, and the cost of an id that is in no block;
# 3. search over the whole store: service + duration, error + attribute, and a structural `>>` query, with the
#    search indexes cold (first query loads them) and warm.
# Writes Benchmarks/work/traces-results.txt.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
WORK=${MCLOG_BENCH_WORK:-$BENCH_DIR/work}
BIN=${MCLOG_BENCH_BIN:-$REPO/.build/release/mclog}
SPANS=${MCLOG_TRACE_SPANS:-1000000}
mkdir -p "$WORK"
if [[ -z ${MCLOG_BENCH_BIN:-} && ${MCLOG_BENCH_SKIP_BUILD:-0} != 1 ]]; then
    echo "building release" >&2; (cd "$REPO" && swift build -c release >/dev/null)
fi
rm -rf "$WORK/traces-data"
{
    echo "# $(date -u +%FT%TZ) $(nproc) cores, $SPANS spans"
    /usr/bin/time -v "$BIN" debug-trace-bench --data "$WORK/traces-data" --spans "$SPANS" 2>"$WORK/traces-time.txt"
    grep -E "Maximum resident|User time|System time" "$WORK/traces-time.txt"
} | tee "$WORK/traces-results.txt"
rm -rf "$WORK/traces-data"
