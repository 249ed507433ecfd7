#!/usr/bin/env bash
# Tail → durable store throughput of nginx access lines, against reference tools in the same run:
#
#   Benchmarks/ingest.sh
#
# Builds the release binary, generates an nginx "combined" corpus with Benchmarks/make-corpus.py (one file of
# MCLOG_BENCH_MB MiB, and the same amount split over 100 files), then measures, best of MCLOG_BENCH_RUNS runs:
#   - `cat FILE >/dev/null` and `wc -l FILE` (reading the same bytes from the page cache);
#   - `mclog ingest --once` on the one file, pinned to one core (taskset -c 0) and unpinned: parsing on
#     (nginx-access: timestamp, level, client_ip/method/path/status metadata), every batch fsync'd to the WAL
#     and checkpointed; MB/s of wall time and MB/s per CPU-second (user+sys);
#   - `mclog ingest --once` over 100 files: max RSS.
# Prints a Markdown table, also written to Benchmarks/work/ingest-results.md (Benchmarks/work/ is git-ignored).
#
# Environment: MCLOG_BENCH_MB (default 256), MCLOG_BENCH_RUNS (default 3), MCLOG_BENCH_SKIP_BUILD=1,
# MCLOG_BENCH_BIN (a binary to use instead), MCLOG_BENCH_WORK (default Benchmarks/work).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
WORK=${MCLOG_BENCH_WORK:-$BENCH_DIR/work}
BIN=${MCLOG_BENCH_BIN:-$REPO/.build/release/mclog}
MB=${MCLOG_BENCH_MB:-256}
RUNS=${MCLOG_BENCH_RUNS:-3}
SKIP_BUILD=${MCLOG_BENCH_SKIP_BUILD:-0}
[[ -n ${MCLOG_BENCH_BIN:-} ]] && SKIP_BUILD=1
ONE=$WORK/ingest-one
MANY=$WORK/ingest-many
RESULTS=$WORK/ingest-results.md
export LC_ALL=C

die() { echo "ingest.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (apt-get install time)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"

if [[ $SKIP_BUILD != 1 ]]; then
  log "building release"
  (cd "$REPO" && swift build -c release >/dev/null)
fi
[[ -x $BIN ]] || die "no binary at $BIN"
mkdir -p "$WORK"
if [[ ! -f $ONE/corpus/corpus.json ]]; then
  log "generating $MB MiB in one file"
  python3 "$BENCH_DIR/make-corpus.py" --out "$ONE/corpus" --size-mb "$MB" --zones 1 >/dev/null
fi
if [[ ! -f $MANY/corpus/corpus.json ]]; then
  log "generating $MB MiB in 100 files"
  python3 "$BENCH_DIR/make-corpus.py" --out "$MANY/corpus" --size-mb "$MB" --zones 100 >/dev/null
fi
FILE=$(ls "$ONE"/corpus/*.log | head -1)
BYTES=$(stat -c %s "$FILE")
MANY_BYTES=$(cat "$MANY"/corpus/*.log | wc -c)

# best_of CMD...: runs CMD $RUNS times under GNU time; prints "wall user sys maxrss_kb tailer_cpu_s" of the
# fastest run (tailer_cpu_s: the CPU seconds `mclog ingest` reports for its tailer, else 0).
best_of() {
  local best="" line
  for _ in $(seq "$RUNS"); do
    [[ -n ${PREP:-} ]] && eval "$PREP"
    /usr/bin/time -o "$WORK/time.out" -f "%e %U %S %M" "$@" >"$WORK/cmd.out" 2>&1 || die "failed: $*"
    line="$(tail -1 "$WORK/time.out") $(awk '/^tailer thread:/{print $3; f=1} END{if(!f) print 0}' "$WORK/cmd.out")"
    if [[ -z $best ]] || awk -v a="$line" -v b="$best" 'BEGIN{split(a,x," ");split(b,y," ");exit !(x[1]<y[1])}'; then
      best=$line
    fi
  done
  echo "$best"
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN{ if (s < 0.001) s = 0.001; printf "%.0f", b / 1e6 / s }'; }

config() {  # config DIR GLOB
  cat >"$1/mclog.yaml" <<YAML
data: ./data
sources:
  - path: $2
    format: nginx-access
    labels: {job: nginx}
YAML
}
config "$ONE" "corpus/*.log"
config "$MANY" "corpus/*.log"

cat "$FILE" >/dev/null  # into the page cache
log "reference tools"
read -r CAT_W _ _ _ _ <<<"$(best_of sh -c "cat '$FILE' >/dev/null")"
read -r WC_W _ _ _ _ <<<"$(best_of wc -l "$FILE")"

log "mclog ingest --once, one core"
PREP="rm -rf '$ONE/data'"
read -r I1_W I1_U I1_S I1_M I1_T <<<"$(best_of taskset -c 0 "$BIN" ingest --once --config "$ONE/mclog.yaml")"
log "mclog ingest --once, all cores"
read -r IA_W IA_U IA_S IA_M IA_T <<<"$(best_of "$BIN" ingest --once --config "$ONE/mclog.yaml")"
ENTRIES=$("$BIN" stats --data "$ONE/data" | awk '/^entries:/{print $2}')
log "mclog ingest --once, 100 files"
PREP="rm -rf '$MANY/data'"
read -r IM_W IM_U IM_S IM_M IM_T <<<"$(best_of "$BIN" ingest --once --config "$MANY/mclog.yaml")"
PREP=""

CPU1=$(awk -v u="$I1_U" -v s="$I1_S" 'BEGIN{print u + s}')
CPUA=$(awk -v u="$IA_U" -v s="$IA_S" 'BEGIN{print u + s}')
{
  echo "Corpus: $(awk -v b="$BYTES" 'BEGIN{printf "%.0f", b/1e6}') MB of nginx combined lines in one file ($ENTRIES entries stored); $(nproc) cores; best of $RUNS."
  echo "Process CPU includes the store's background block building (page encoding, blooms, zstd); the tailer's CPU"
  echo "(its thread and its append thread) is reading, parsing, WAL encoding and writing, and positions."
  echo
  echo "| measurement | wall s | MB/s (wall) | process CPU s | MB/s per process CPU-s | tailer CPU s | MB/s per tailer CPU-s | max RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  echo "| \`cat FILE >/dev/null\` | $CAT_W | $(mbps "$BYTES" "$CAT_W") | | | | | |"
  echo "| \`wc -l FILE\` | $WC_W | $(mbps "$BYTES" "$WC_W") | | | | | |"
  echo "| \`mclog ingest --once\`, \`taskset -c 0\` | $I1_W | $(mbps "$BYTES" "$I1_W") | $CPU1 | $(mbps "$BYTES" "$CPU1") | $I1_T | $(mbps "$BYTES" "$I1_T") | $((I1_M / 1024)) MiB |"
  echo "| \`mclog ingest --once\`, all cores | $IA_W | $(mbps "$BYTES" "$IA_W") | $CPUA | $(mbps "$BYTES" "$CPUA") | $IA_T | $(mbps "$BYTES" "$IA_T") | $((IA_M / 1024)) MiB |"
  echo "| \`mclog ingest --once\`, 100 files | $IM_W | $(mbps "$MANY_BYTES" "$IM_W") | | | $IM_T | $(mbps "$MANY_BYTES" "$IM_T") | $((IM_M / 1024)) MiB |"
} | tee "$RESULTS"
