#!/usr/bin/env bash
# Reproduces every figure of the mclog benchmark table in one command:
#
#   Benchmarks/run.sh
#
# Builds the release binary, generates the corpus (Benchmarks/make-corpus.py) if missing, measures the
# reference tools (zstd, grep, rg, lz4) and mclog (import, storage, full scan, rare literal, label-selective
# query, RSS scaling) in the same run, and prints a Markdown table that is also written to
# Benchmarks/work/results.md (Benchmarks/work/ is git-ignored).
#
# Environment:
#   MCLOG_BENCH_MB          corpus size in MiB (default 1024); the RSS-scaling corpus is a quarter of it
#   MCLOG_BENCH_RUNS        runs per timed measurement, best taken (default 3)
#   MCLOG_BENCH_SKIP_BUILD  set to 1 to use the existing .build/release/mclog without building
#   MCLOG_BENCH_BIN         use this mclog binary instead (implies no build)
#   MCLOG_BENCH_WORK        work directory (default Benchmarks/work: corpus, all.log, data dirs, results.md)
#   MCLOG_BENCH_ONLY        'logql': only the LogQL section (issue 3), reusing the all-cores store when it holds
#                           this corpus; writes Benchmarks/work/results-logql.md
#   MCLOG_BENCH_CODEC       page codec of the imported stores: zstd (default, level 3) or lz4; a non-default
#                           codec gets its own data directories and results-logql-<codec>.md
#
# Caches are not dropped: every tool is run $RUNS times and the best run is taken, so the
# inputs of all tools alike (plain file, .zst file, mclog data directory) are in the page cache.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
WORK=${MCLOG_BENCH_WORK:-$BENCH_DIR/work}
BIN=${MCLOG_BENCH_BIN:-$REPO/.build/release/mclog}
SKIP_BUILD=${MCLOG_BENCH_SKIP_BUILD:-0}
if [[ -n ${MCLOG_BENCH_BIN:-} ]]; then SKIP_BUILD=1; fi
MB=${MCLOG_BENCH_MB:-1024}
RUNS=${MCLOG_BENCH_RUNS:-3}
ABSENT=no-such-literal-xyz
SINCE=100000h
# Every corpus line contains "HTTP/1.", so this negated filter returns nothing, and no per-page bloom filter can
# skip a page for a negation: it forces decompressing and filtering every line. The absent-literal query
# (`|= "no-such-literal-xyz"`) may be answered from the page blooms without decompressing anything.
FORCE_NEEDLE=HTTP/1.
CORPUS=$WORK/corpus
CORPUS_SMALL=$WORK/corpus-small
ALL=$WORK/all.log
CODEC=${MCLOG_BENCH_CODEC:-zstd}
[[ $CODEC == zstd || $CODEC == lz4 ]] || { echo "run.sh: error: MCLOG_BENCH_CODEC must be zstd or lz4, got '$CODEC'" >&2; exit 1; }
SUFFIX=""; [[ $CODEC == zstd ]] || SUFFIX=-$CODEC
CODEC_NAME=zstd-3; [[ $CODEC == zstd ]] || CODEC_NAME=$CODEC
D1=$WORK/data-1core$SUFFIX
D2=$WORK/data-allcores$SUFFIX
DS=$WORK/data-small
TMP=$WORK/tmp
RESULTS=$WORK/results.md
export LC_ALL=C # byte semantics and the fastest grep for the reference tools

die() { echo "run.sh: error: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2"; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------- checks
if ! [[ $MB =~ ^[0-9]+$ ]] || (( MB < 4 )); then die "MCLOG_BENCH_MB must be an integer >= 4 (MiB), got '$MB'"; fi
if ! [[ $RUNS =~ ^[0-9]+$ ]] || (( RUNS < 1 )); then die "MCLOG_BENCH_RUNS must be a positive integer, got '$RUNS'"; fi
SMALL_MB=$(( MB / 4 ))
need python3 "needed to generate the corpus"
need zstd "the reference compressor (apt-get install zstd)"
need grep "the reference scanner"
need awk "used for arithmetic"
need taskset "one-core runs (util-linux)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time not found: install GNU time (apt-get install time)"
[[ $(/usr/bin/time -v true 2>&1) == *"Maximum resident set size"* ]] \
    || die "/usr/bin/time is not GNU time (no -v 'Maximum resident set size')"
if [[ $SKIP_BUILD != 1 ]]; then need swift "the Swift toolchain builds mclog"; fi
have lz4 || log "lz4 not found: its row is skipped"
have rg || log "rg not found: its row is skipped"
HYPERFINE=0; have hyperfine && HYPERFINE=1
mkdir -p "$WORK" "$TMP"

avail_mib=$(df -Pm "$WORK" | awk 'NR==2 {print $4}')
need_mib=$(( MB * 3 + 512 ))
if [[ -n $avail_mib ]] && (( avail_mib < need_mib )); then
    die "about ${need_mib} MiB of free disk needed under $WORK (corpus, all.log, .zst, data dirs), ${avail_mib} MiB free"
fi

# ---------------------------------------------------------------------------------------------- helpers
# Sets _now to the wall clock in microseconds (EPOCHREALTIME: no fork).
stamp() {
    if [[ -n ${EPOCHREALTIME:-} ]]; then _now=${EPOCHREALTIME/[.,]/}; else _now=$(( $(date +%s%N) / 1000 )); fi
}
# div A B [DECIMALS]: A/B formatted, "n/a" when B is 0 or empty.
div() { awk -v a="$1" -v b="${2:-0}" -v p="${3:-2}" 'BEGIN { if (b+0 == 0) print "n/a"; else printf "%.*f", p, a / b }'; }
mib_kb() { div "$1" 1024 0; }          # kB → MiB
gb() { div "$1" 1e9 2; }               # bytes → GB
mibs() { div "$1" 1048576 1; }         # bytes → MiB
rate() { awk -v b="$1" -v s="$2" -v k="$3" -v p="${4:-2}" 'BEGIN { if (s+0 == 0) print "n/a"; else printf "%.*f", p, b / s / k }'; }  # bytes, s, unit
secs3() { awk -v s="$1" 'BEGIN { printf "%.3f", s }'; }
q() { printf '%q ' "$@"; }             # a command as a shell-quoted string
json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("\n".join(map(str,v)) if isinstance(v,list) else v)' "$1" "$2"; }
max_rss_kb() { # the largest "Maximum resident set size" in a GNU time -v output file (0 if none)
    awk -F: '/Maximum resident set size/ { v = $2 + 0; if (v > m) m = v } END { print m + 0 }' "$1"
}

# best_of NAME CMD: runs the shell command CMD $RUNS times (hyperfine if present) and sets BEST (seconds,
# the fastest run) and RSS_KB (largest peak RSS recorded by a `/usr/bin/time -v -a -o $RSSF` in CMD).
# CMD must exit 0 on success. Its stderr goes to $TMP/NAME.err.
RSSF=$TMP/rss.txt
best_of() {
    local name=$1 cmd=$2 err=$TMP/$1.err i t0 t best_us=""
    : >"$RSSF"
    if (( HYPERFINE )); then
        hyperfine --shell bash --runs "$RUNS" --style none --export-json "$TMP/$name.json" "{ $cmd; } 2>>$(q "$err")" \
            >/dev/null 2>"$TMP/$name.hyperfine" \
            || { cat "$TMP/$name.hyperfine" "$err" >&2 2>/dev/null || true; die "$name failed: $cmd"; }
        BEST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["min"])' "$TMP/$name.json")
    else
        : >"$err"
        for (( i = 0; i < RUNS; i++ )); do
            stamp; t0=$_now
            if ! ( set +e; eval "$cmd" ) 2>>"$err"; then cat "$err" >&2; die "$name failed: $cmd"; fi
            stamp; t=$(( _now - t0 ))
            if [[ -z $best_us ]] || (( t < best_us )); then best_us=$t; fi
        done
        BEST=$(awk -v u="$best_us" 'BEGIN { printf "%.6f", u / 1e6 }')
    fi
    RSS_KB=$(max_rss_kb "$RSSF")
    local rss=""
    if (( RSS_KB > 0 )); then rss=", peak RSS $(mib_kb "$RSS_KB") MiB"; fi
    log "  $name: best of $RUNS $(secs3 "$BEST") s$rss"
}
TIMEV="/usr/bin/time -v -a -o $(q "$RSSF")"

# gen_corpus DIR SIZE_MB: generates the corpus unless DIR/corpus.json says it is complete and of that size.
gen_corpus() {
    local dir=$1 size=$2 ok=0
    if [[ -f $dir/corpus.json ]]; then
        ok=$(python3 - "$dir/corpus.json" "$size" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
good = float(d["size_mb"]) == float(sys.argv[2]) and all(
    os.path.isfile(f["path"]) and os.path.getsize(f["path"]) == f["bytes"] for f in d["per_file"])
print(1 if good else 0)
PY
)
    fi
    if [[ $ok == 1 ]]; then
        log "corpus $dir ($size MiB) present"
    else
        log "generating $size MiB corpus in $dir"
        rm -rf "$dir"
        python3 "$BENCH_DIR/make-corpus.py" --out "$dir" --size-mb "$size" >"$TMP/gen-$(basename "$dir").json" \
            || die "make-corpus.py failed"
        log "  generated at $(json_get "$dir/corpus.json" mb_per_s) MB/s"
    fi
}

# import_all NAME DATA CORPUS PIN: one `mclog import` per zone into a fresh DATA; sets IMP_SECS (total wall
# clock) and IMP_RSS_KB (max peak RSS over the runs). PIN=1 runs each under `taskset -c 0`.
import_all() {
    local name=$1 data=$2 corpus=$3 pin=$4 zone t0 rss=0 r
    local -a pre=()
    if (( pin )); then pre=(taskset -c 0); fi
    local -a zones
    mapfile -t zones < <(json_get "$corpus/corpus.json" zones)
    rm -rf "$data"
    : >"$TMP/$name.log"
    stamp; t0=$_now
    for zone in "${zones[@]}"; do
        if ! "${pre[@]}" /usr/bin/time -v -o "$TMP/$name.time" "$BIN" import --data "$data" \
                --labels "{job=\"nginx\",zone=\"$zone\"}" --format nginx --codec "$CODEC" "$corpus/$zone.log" >>"$TMP/$name.log" 2>&1; then
            tail -n 20 "$TMP/$name.log" >&2
            die "mclog import of $corpus/$zone.log failed (log: $TMP/$name.log)"
        fi
        r=$(max_rss_kb "$TMP/$name.time")
        if (( r > rss )); then rss=$r; fi
    done
    stamp
    IMP_SECS=$(awk -v u="$(( _now - t0 ))" 'BEGIN { printf "%.6f", u / 1e6 }')
    IMP_RSS_KB=$rss
    log "  $name: ${#zones[@]} imports in $(secs3 "$IMP_SECS") s, peak RSS $(mib_kb "$rss") MiB"
}

# mclog_query DATA QUERY OUT [PIN]: the command string of a timed query writing its lines to OUT.
mclog_query() {
    local pin=""
    if [[ ${4:-0} == 1 ]]; then pin="taskset -c 0 "; fi
    local extra=${5:-}
    echo "${pin}${TIMEV} $(q "$BIN" query --data "$1" --limit 0 --output raw --since "$SINCE" $extra "$2") > $(q "$3")"
}
lines_of() { wc -l <"$1" | tr -d ' '; }

# ---------------------------------------------------------------------------------------------- build
if [[ $SKIP_BUILD != 1 ]]; then
    log "building: swift build -c release --product mclog (in $REPO)"
    (cd "$REPO" && swift build -c release --product mclog) >&2 || die "swift build failed"
fi
[[ -x $BIN ]] || die "$BIN not found after the build"

# ---------------------------------------------------------------------------------------------- corpus
gen_corpus "$CORPUS" "$MB"
mapfile -t ZONES < <(json_get "$CORPUS/corpus.json" zones)
RAW=$(json_get "$CORPUS/corpus.json" bytes)
LINES=$(json_get "$CORPUS/corpus.json" lines)
RARE_IP=$(json_get "$CORPUS/corpus.json" rare_ip)
RARE_EXPECTED=$(json_get "$CORPUS/corpus.json" rare_ip_lines)
if [[ ! -f $ALL || $CORPUS/corpus.json -nt $ALL ]] || [[ $(stat -c %s "$ALL") != "$RAW" ]]; then
    log "concatenating ${#ZONES[@]} zone files into $ALL"
    (cd "$CORPUS" && cat "${ZONES[@]/%/.log}") >"$ALL.tmp"
    mv "$ALL.tmp" "$ALL"
fi
[[ $(stat -c %s "$ALL") == "$RAW" ]] || die "$ALL is not $RAW bytes"

# ---------------------------------------------------------------------------------------------- LogQL issue (#3)
# The LogQL benchmark of issue 3 over the all-cores store $D2: absent literal (log and metric), the pattern metric
# query, the 5xx regex, and a label-selective query; each mclog query on one core (taskset -c 0) and on all cores,
# with grep / rg / awk doing the same work on all.log in the same run. Writes $RESULTS_LOGQL.
RESULTS_LOGQL=$WORK/results-logql$SUFFIX.md
# The corpus spans 2026-10-02T00:00:00Z .. 2026-11-01T00:00:00Z: hourly steps with [1h] windows, (t-1h, t], tile
# it exactly, so every line is read and counted once and the per-status counts can be checked against awk.
MFROM=2026-10-02T00:00:00Z
MTO=2026-11-01T00:00:00Z
MSTEP=1h
PATTERN_Q='sum by (status) (count_over_time({job="nginx"} | pattern "<ip> - - [<_>] \"<method> <path> <_>\" <status> <size> <_>" [1h]))'
REGEX_RE='" 5[0-9][0-9] '
REGEX_Q='{job="nginx"} |~ "\" 5[0-9][0-9] "'
ABSENT_LOG_Q="{job=\"nginx\"} |= \"$ABSENT\""
ABSENT_METRIC_Q="count_over_time({job=\"nginx\"} |= \"$ABSENT\" [1h])"
KZONE_Q='{zone="kzone"} |~ "\" 5[0-9][0-9] "'
ALLFORCED_Q="{job=\"nginx\"} != \"$FORCE_NEEDLE\""
KZONEFORCED_Q="{zone=\"kzone\"} != \"$FORCE_NEEDLE\""

# mclog_metric DATA QUERY OUT [PIN] [EXTRA]: the command string of a timed metric range query over the corpus span.
mclog_metric() {
    local pin=""
    if [[ ${4:-0} == 1 ]]; then pin="taskset -c 0 "; fi
    echo "${pin}${TIMEV} $(q "$BIN" query --data "$1" --output raw --from "$MFROM" --to "$MTO" --step "$MSTEP" ${5:-} "$2") > $(q "$3")"
}
# Query statistics of one untimed run (the --stats line); metric queries with METRIC=1.
qstat_line() { # DATA QUERY METRIC [EXTRA]
    if [[ $3 == 1 ]]; then
        "$BIN" query --data "$1" --output raw --from "$MFROM" --to "$MTO" --step "$MSTEP" --stats ${4:-} "$2" 2>&1 >/dev/null | tail -n 1 || true
    else
        "$BIN" query --data "$1" --limit 0 --output raw --since "$SINCE" --stats ${4:-} "$2" 2>&1 >/dev/null | tail -n 1 || true
    fi
}
pages_scanned() { sed -n 's/.*(scanned \([0-9]*\),.*/\1/p' <<<"$1"; }
# Sums the values of a raw metric output per label set: "labels<TAB>total", sorted.
metric_totals() { awk -F'\t' '{ s[$2] += $3 } END { for (k in s) printf "%s\t%d\n", k, s[k] }' "$1" | sort; }

logql_bench() {
    local cores; cores=$(nproc)
    log "LogQL (#3): reference tools on $ALL"
    cat "$ALL" >/dev/null
    best_of l_grep_absent "grep -F -c $(q "$ABSENT") $(q "$ALL") > $(q "$TMP/l_grep_absent.out") || (( \$? == 1 ))"
    L_GREP_ABSENT=$BEST
    best_of l_grep_re "grep -c $(q "$REGEX_RE") $(q "$ALL") > $(q "$TMP/l_grep_re.out")"
    L_GREP_RE=$BEST
    L_GREP_RE_N=$(cat "$TMP/l_grep_re.out")
    best_of l_grep_re1 "taskset -c 0 grep -c $(q "$REGEX_RE") $(q "$ALL") > $(q "$TMP/l_grep_re1.out")"
    L_GREP_RE1=$BEST
    L_RG_ABSENT="" L_RG_RE="" L_RG_RE1=""
    if have rg; then
        best_of l_rg_absent "rg -F -c $(q "$ABSENT") $(q "$ALL") > $(q "$TMP/l_rg_absent.out") || (( \$? == 1 ))"
        L_RG_ABSENT=$BEST
        best_of l_rg_re "rg -c $(q "$REGEX_RE") $(q "$ALL") > $(q "$TMP/l_rg_re.out")"
        L_RG_RE=$BEST
        best_of l_rg_re1 "taskset -c 0 rg -j1 -c $(q "$REGEX_RE") $(q "$ALL") > $(q "$TMP/l_rg_re1.out")"
        L_RG_RE1=$BEST
    fi
    # The pattern query's work in awk: split each line into fields and count the 9th (the status).
    best_of l_awk "taskset -c 0 awk '{ n[\$9]++ } END { for (s in n) printf \"%s\\t%d\\n\", s, n[s] }' $(q "$ALL") > $(q "$TMP/l_awk.out")"
    L_AWK=$BEST

    log "LogQL (#3): mclog queries on $D2"
    best_of l_absent1 "$(mclog_query "$D2" "$ABSENT_LOG_Q" "$TMP/l_absent1.out" 1 --no-bloom)"
    L_ABSENT1=$BEST
    best_of l_absent "$(mclog_query "$D2" "$ABSENT_LOG_Q" "$TMP/l_absent.out" 0 --no-bloom)"
    L_ABSENT=$BEST
    best_of l_absent_bloom "$(mclog_query "$D2" "$ABSENT_LOG_Q" "$TMP/l_absent_bloom.out" 1)"
    L_ABSENT_BLOOM=$BEST
    [[ $(lines_of "$TMP/l_absent.out") == 0 ]] || die "$ABSENT_LOG_Q returned lines"
    best_of l_cot1 "$(mclog_metric "$D2" "$ABSENT_METRIC_Q" "$TMP/l_cot1.out" 1 --no-bloom)"
    L_COT1=$BEST
    best_of l_cot "$(mclog_metric "$D2" "$ABSENT_METRIC_Q" "$TMP/l_cot.out" 0 --no-bloom)"
    L_COT=$BEST
    best_of l_cot_bloom "$(mclog_metric "$D2" "$ABSENT_METRIC_Q" "$TMP/l_cot_bloom.out" 1)"
    L_COT_BLOOM=$BEST
    [[ $(lines_of "$TMP/l_cot.out") == 0 ]] || die "$ABSENT_METRIC_Q returned samples"
    best_of l_pat1 "$(mclog_metric "$D2" "$PATTERN_Q" "$TMP/l_pat1.out" 1)"
    L_PAT1=$BEST L_PAT1_RSS=$RSS_KB
    best_of l_pat "$(mclog_metric "$D2" "$PATTERN_Q" "$TMP/l_pat.out" 0)"
    L_PAT=$BEST L_PAT_RSS=$RSS_KB
    best_of l_re1 "$(mclog_query "$D2" "$REGEX_Q" "$TMP/l_re1.out" 1)"
    L_RE1=$BEST
    best_of l_re "$(mclog_query "$D2" "$REGEX_Q" "$TMP/l_re.out" 0)"
    L_RE=$BEST
    L_RE_N=$(lines_of "$TMP/l_re.out")
    best_of l_kzone "$(mclog_query "$D2" "$KZONE_Q" "$TMP/l_kzone.out" 0)"
    L_KZONE=$BEST

    # Correctness checks: the regex's lines against grep, the pattern query's per-status totals against awk.
    L_RE_OK=OK
    [[ $L_RE_N == "$L_GREP_RE_N" ]] || L_RE_OK="MISMATCH (grep $L_GREP_RE_N)"
    metric_totals "$TMP/l_pat.out" | sed 's/^{status="\(.*\)"}\t/\1\t/; s/^{}\t/(no status)\t/' >"$TMP/l_pat.totals"
    sort "$TMP/l_awk.out" >"$TMP/l_awk.totals"
    L_PAT_TOTAL=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$TMP/l_pat.totals")
    L_PAT_GROUPS=$(wc -l <"$TMP/l_pat.totals" | tr -d ' ')
    if cmp -s "$TMP/l_pat.totals" "$TMP/l_awk.totals"; then
        L_PAT_OK="per-status totals = awk's $(wc -l <"$TMP/l_awk.totals" | tr -d ' ') counts of \$9: OK"
    else
        L_PAT_OK="per-status totals differ from awk's \$9 counts on $(comm -3 "$TMP/l_pat.totals" "$TMP/l_awk.totals" | wc -l | tr -d ' ') rows (see $TMP/l_pat.totals, $TMP/l_awk.totals)"
    fi
    metric_totals "$TMP/l_pat1.out" >"$TMP/l_pat1.t"; metric_totals "$TMP/l_pat.out" >"$TMP/l_pat.t"
    cmp -s "$TMP/l_pat1.t" "$TMP/l_pat.t" || L_PAT_OK="$L_PAT_OK; 1-core and all-core results DIFFER"

    local s_absent s_cot s_pat s_re s_forced s_kforced s_kzone
    s_absent=$(qstat_line "$D2" "$ABSENT_LOG_Q" 0 --no-bloom)
    s_absent_b=$(qstat_line "$D2" "$ABSENT_LOG_Q" 0)
    s_cot=$(qstat_line "$D2" "$ABSENT_METRIC_Q" 1 --no-bloom)
    s_cot_b=$(qstat_line "$D2" "$ABSENT_METRIC_Q" 1)
    s_pat=$(qstat_line "$D2" "$PATTERN_Q" 1)
    s_re=$(qstat_line "$D2" "$REGEX_Q" 0)
    s_kzone=$(qstat_line "$D2" "$KZONE_Q" 0)
    s_forced=$(qstat_line "$D2" "$ALLFORCED_Q" 0)
    s_kforced=$(qstat_line "$D2" "$KZONEFORCED_Q" 0)
    local p_all p_k
    p_all=$(pages_scanned "$s_forced"); p_k=$(pages_scanned "$s_kforced")
    local kz_bytes
    kz_bytes=$(python3 -c 'import json,sys; print(sum(f["bytes"] for f in json.load(open(sys.argv[1]))["per_file"] if f["zone"]=="kzone"))' "$CORPUS/corpus.json")

    # gbs SECONDS [CORES]: corpus GB/s (per core when CORES is given).
    gbs() { rate "$RAW" "$(awk -v s="$1" -v c="${2:-1}" 'BEGIN { print s * c }')" 1e9; }
    mbs() { rate "$RAW" "$(awk -v s="$1" -v c="${2:-1}" 'BEGIN { print s * c }')" 1e6 0; }
    local rev; rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null || true) ]]; then rev="$rev (modified)"; fi
    {
    echo "## LogQL issue (#3)"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · mclog $rev · $(nproc) cores · best of $RUNS runs · corpus $(mibs "$RAW") MiB = $RAW bytes, $LINES lines, nine zone streams, 30 days; store: $D2 ($CODEC_NAME pages). Throughput = corpus bytes / wall clock (process start to exit); \"per core\" = the \`taskset -c 0\` run; all-core rows also give GB/s ÷ $cores. Metric queries: \`--from $MFROM --to $MTO --step $MSTEP\` (721 hourly [1h] windows that tile the corpus: every line is read and counted once)."
    echo
    echo "| Query | 1 core (taskset -c 0) | all $cores cores | vs reference, same run | target | met? |"
    echo "|---|---:|---:|---|---|---|"
    echo "| \`$ABSENT_LOG_Q\` --no-bloom (every page decompressed) | $(secs3 "$L_ABSENT1") s, $(gbs "$L_ABSENT1") GB/s | $(secs3 "$L_ABSENT") s, $(gbs "$L_ABSENT") GB/s ($(gbs "$L_ABSENT" "$cores") /core) | grep -F -c on the plain file: $(gbs "$L_GREP_ABSENT") GB/s (1 core: $(div "$L_GREP_ABSENT" "$L_ABSENT1")×)${L_RG_ABSENT:+; rg -F -c: $(gbs "$L_RG_ABSENT") GB/s} | ≥ 1.5 GB/s per core | $(awk -v r="$(gbs "$L_ABSENT1")" 'BEGIN { print (r >= 1.5) ? "yes" : "no" }') |"
    echo "| same, blooms on (pages pruned) | $(secs3 "$L_ABSENT_BLOOM") s, $(gbs "$L_ABSENT_BLOOM") GB/s effective | | | | |"
    echo "| \`$ABSENT_METRIC_Q\` --no-bloom | $(secs3 "$L_COT1") s, $(gbs "$L_COT1") GB/s | $(secs3 "$L_COT") s, $(gbs "$L_COT") GB/s ($(gbs "$L_COT" "$cores") /core) | vs the log query: $(div "$L_ABSENT1" "$L_COT1")× | ≥ 1.5 GB/s per core | $(awk -v r="$(gbs "$L_COT1")" 'BEGIN { print (r >= 1.5) ? "yes" : "no" }') |"
    echo "| same, blooms on (pages pruned) | $(secs3 "$L_COT_BLOOM") s, $(gbs "$L_COT_BLOOM") GB/s effective | | | | |"
    echo "| \`$PATTERN_Q\` | $(secs3 "$L_PAT1") s, $(mbs "$L_PAT1") MB/s | $(secs3 "$L_PAT") s, $(mbs "$L_PAT") MB/s ($(mbs "$L_PAT" "$cores") /core) | awk '{n[\$9]++}' (mawk, 1 core): $(mbs "$L_AWK") MB/s → mclog 1 core $(div "$L_AWK" "$L_PAT1")× awk | ≥ 400 MB/s per core | $(awk -v r="$(mbs "$L_PAT1")" 'BEGIN { print (r >= 400) ? "yes" : "no" }') |"
    echo "| \`$REGEX_Q\` ($L_RE_N lines, grep: $L_GREP_RE_N, $L_RE_OK) | $(secs3 "$L_RE1") s, $(gbs "$L_RE1") GB/s | $(secs3 "$L_RE") s, $(gbs "$L_RE") GB/s ($(gbs "$L_RE" "$cores") /core) | grep -c: 1 core $(gbs "$L_GREP_RE1") GB/s (mclog $(div "$L_GREP_RE1" "$L_RE1")×)${L_RG_RE:+; rg -c: 1 core $(gbs "$L_RG_RE1") GB/s (mclog $(div "$L_RG_RE1" "$L_RE1")×), all cores $(gbs "$L_RG_RE") GB/s (mclog $(div "$L_RG_RE" "$L_RE")×)} | ≥ 1 GB/s per core | $(awk -v r="$(gbs "$L_RE1")" 'BEGIN { print (r >= 1.0) ? "yes" : "no" }') |"
    echo "| \`$KZONE_Q\` | | $(secs3 "$L_KZONE") s, $(rate "$kz_bytes" "$L_KZONE" 1e9) GB/s of kzone | pages read: $p_k of the $p_all pages of all nine streams (\`!= \"$FORCE_NEEDLE\"\`, no bloom can skip) = $(div "$p_k" "$p_all" 4); kzone = $(div "$((kz_bytes * 100))" "$RAW" 1) % of bytes | ≤ 1/9 = 0.1111 of the pages | $(awk -v a="$p_k" -v b="$p_all" 'BEGIN { print (b > 0 && a * 9 <= b) ? "yes" : "no" }') |"
    echo
    echo "Checks and statistics (one untimed \`--stats\` run each):"
    echo
    echo "- pattern query: $L_PAT_GROUPS series, $L_PAT_TOTAL lines counted (corpus: $LINES); $L_PAT_OK. Peak RSS $(mib_kb "$L_PAT1_RSS") MiB (1 core), $(mib_kb "$L_PAT_RSS") MiB (all cores)."
    echo "  - $s_pat"
    echo "- absent literal, --no-bloom: $s_absent"
    echo "- absent literal, blooms: $s_absent_b"
    echo "- count_over_time absent, --no-bloom: $s_cot"
    echo "- count_over_time absent, blooms: $s_cot_b"
    echo "- regex: $s_re"
    echo "- kzone regex: $s_kzone"
    echo "- \`$ALLFORCED_Q\`: $s_forced"
    echo "- \`$KZONEFORCED_Q\`: $s_kforced"
    echo "- References: \`grep -F -c $ABSENT all.log\`, \`rg -F -c\`; \`grep -c '$REGEX_RE' all.log\` (and under \`taskset -c 0\`), \`rg -c\` (all cores) and \`taskset -c 0 rg -j1 -c\`; \`taskset -c 0 awk '{ n[\$9]++ } END {…}' all.log\` ($(ver awk -W version 2>/dev/null || echo awk)). mclog: \`mclog query --data D --output raw [--limit 0 --since $SINCE | --from $MFROM --to $MTO --step $MSTEP] [--no-bloom] '<query>'\`."
    } >"$RESULTS_LOGQL.tmp"
    mv "$RESULTS_LOGQL.tmp" "$RESULTS_LOGQL"
    log "LogQL results written to $RESULTS_LOGQL"
}

if [[ ${MCLOG_BENCH_ONLY:-} == logql ]]; then
    # Only the LogQL section: reuse the all-cores store when it was imported from this corpus.
    if [[ -f $D2/.corpus.json ]] && cmp -s "$D2/.corpus.json" "$CORPUS/corpus.json"; then
        log "reusing $D2 (imported from this corpus)"
    else
        log "mclog import, all $(nproc) cores → $D2"
        import_all import2 "$D2" "$CORPUS" 0
        cp "$CORPUS/corpus.json" "$D2/.corpus.json"
    fi
    logql_bench
    cat "$RESULTS_LOGQL"
    exit 0
fi

# ---------------------------------------------------------------------------------------------- reference
log "reference tools on $ALL ($(mibs "$RAW") MiB)"
cat "$ALL" >/dev/null # into the page cache
best_of zstd3 "zstd -q -3 -T1 -c $(q "$ALL") > $(q "$ALL.zst")"
ZSTD_S=$BEST
ZSTD_BYTES=$(stat -c %s "$ALL.zst")

LZ4_S="" LZ4_BYTES=""
if have lz4; then
    best_of lz4 "lz4 -q -1 -c $(q "$ALL") > $(q "$TMP/all.log.lz4")"
    LZ4_S=$BEST
    LZ4_BYTES=$(stat -c %s "$TMP/all.log.lz4")
    rm -f "$TMP/all.log.lz4"
fi

# grep -c exits 1 when it counts 0: a success here; the printed count is checked afterwards.
best_of zstdgrep "zstd -dc $(q "$ALL.zst") | grep -F -c $(q "$ABSENT") > $(q "$TMP/zstdgrep.out"); \
st=(\"\${PIPESTATUS[@]}\"); (( st[0] == 0 && st[1] <= 1 ))"
ZGREP_S=$BEST
[[ $(cat "$TMP/zstdgrep.out") == 0 ]] || die "zstd -dc | grep -c $ABSENT counted $(cat "$TMP/zstdgrep.out"), expected 0"

best_of grep "grep -F -c $(q "$ABSENT") $(q "$ALL") > $(q "$TMP/grep.out") || (( \$? == 1 ))"
GREP_S=$BEST

RG_S=""
if have rg; then
    best_of rg "rg -F -c $(q "$ABSENT") $(q "$ALL") > $(q "$TMP/rg.out") || (( \$? == 1 ))"
    RG_S=$BEST
fi

best_of grep_rare "grep -F -c $(q "$RARE_IP") $(q "$ALL") > $(q "$TMP/grep_rare.out") || (( \$? == 1 ))"
GREP_RARE_S=$BEST
GREP_RARE_N=$(cat "$TMP/grep_rare.out")

# ---------------------------------------------------------------------------------------------- mclog
log "mclog import, one core (taskset -c 0) → $D1"
import_all import1 "$D1" "$CORPUS" 1
IMP1_S=$IMP_SECS IMP1_RSS=$IMP_RSS_KB
log "mclog import, all $(nproc) cores → $D2"
import_all import2 "$D2" "$CORPUS" 0
IMP2_S=$IMP_SECS IMP2_RSS=$IMP_RSS_KB
cp "$CORPUS/corpus.json" "$D2/.corpus.json"

"$BIN" stats --data "$D2" >"$TMP/stats.txt" 2>"$TMP/stats.err" || { cat "$TMP/stats.err" >&2; die "mclog stats failed"; }
STORED=$(sed -n 's/^stored bytes:[[:space:]]*\([0-9][0-9,_ ]*\).*/\1/p' "$TMP/stats.txt" | tr -d ',_ ' | head -n 1)
[[ $STORED =~ ^[0-9]+$ ]] || die "no 'stored bytes: N' line in mclog stats output: $(cat "$TMP/stats.txt")"
DIR_BYTES=$(du -sb "$D2" | awk '{print $1}')
ENTRIES=$(sed -n 's/^entries:[[:space:]]*\([0-9][0-9,_]*\).*/\1/p' "$TMP/stats.txt" | tr -d ',_' | head -n 1)
STATS_RAW=$(sed -n 's/^raw bytes:[[:space:]]*\([0-9][0-9,_]*\).*/\1/p' "$TMP/stats.txt" | tr -d ',_' | head -n 1)
ENTRIES_OK=OK
if [[ $ENTRIES != "$LINES" ]]; then ENTRIES_OK=MISMATCH; log "warning: mclog stats reports ${ENTRIES:-no} entries, the corpus has $LINES lines"; fi

log "mclog queries on $D2"
ALLSEL='{job="nginx"}'
# --no-bloom reads and decompresses every page: the raw scan rate. Without it the blooms prune every page.
best_of scan "$(mclog_query "$D2" "$ALLSEL |= \"$ABSENT\"" "$TMP/scan.out" 0 --no-bloom)"
SCAN_S=$BEST SCAN_RSS=$RSS_KB
[[ $(lines_of "$TMP/scan.out") == 0 ]] || die "the absent-literal query returned $(lines_of "$TMP/scan.out") lines"
best_of scan1 "$(mclog_query "$D2" "$ALLSEL |= \"$ABSENT\"" "$TMP/scan1.out" 1 --no-bloom)"
SCAN1_S=$BEST SCAN1_RSS=$RSS_KB
best_of pruned "$(mclog_query "$D2" "$ALLSEL |= \"$ABSENT\"" "$TMP/pruned.out")"
PRUNED_S=$BEST
FORCED="$ALLSEL != \"$FORCE_NEEDLE\""
best_of forced "$(mclog_query "$D2" "$FORCED" "$TMP/forced.out")"
FORCED_S=$BEST FORCED_RSS=$RSS_KB
[[ $(lines_of "$TMP/forced.out") == 0 ]] || die "$FORCED returned $(lines_of "$TMP/forced.out") lines, expected 0"
best_of forced1 "$(mclog_query "$D2" "$FORCED" "$TMP/forced1.out" 1)"
FORCED1_S=$BEST FORCED1_RSS=$RSS_KB
best_of rare "$(mclog_query "$D2" "$ALLSEL |= \"$RARE_IP\"" "$TMP/rare.out")"
RARE_S=$BEST RARE_RSS=$RSS_KB
RARE_N=$(lines_of "$TMP/rare.out")
best_of label "$(mclog_query "$D2" "{zone=\"kzone\"} |= \"$ABSENT\"" "$TMP/label.out")"
LABEL_S=$BEST
KZONE_BYTES=$(python3 -c 'import json,sys; print(sum(f["bytes"] for f in json.load(open(sys.argv[1]))["per_file"] if f["zone"]=="kzone"))' "$CORPUS/corpus.json")
# One untimed run of each query with --stats, for the notes (pages scanned, pages skipped by the blooms).
qstats() { "$BIN" query --data "$1" --limit 0 --output raw --since "$SINCE" --stats "$2" 2>&1 >/dev/null | tail -n 1 || true; }
ABSENT_STATS=$(qstats "$D2" "$ALLSEL |= \"$ABSENT\"")
SCAN_STATS=$("$BIN" query --data "$D2" --limit 0 --output raw --since "$SINCE" --stats --no-bloom "$ALLSEL |= \"$ABSENT\"" 2>&1 >/dev/null | tail -n 1 || true)
FORCED_STATS=$(qstats "$D2" "$FORCED")
RARE_STATS=$(qstats "$D2" "$ALLSEL |= \"$RARE_IP\"")
LABEL_STATS=$(qstats "$D2" "{zone=\"kzone\"} |= \"$ABSENT\"")

# ---------------------------------------------------------------------------------------------- RSS scaling
log "RSS scaling: $SMALL_MB MiB corpus"
gen_corpus "$CORPUS_SMALL" "$SMALL_MB"
RAW_SMALL=$(json_get "$CORPUS_SMALL/corpus.json" bytes)
import_all import_small "$DS" "$CORPUS_SMALL" 0
IMPS_S=$IMP_SECS IMPS_RSS=$IMP_RSS_KB
best_of scan_small "$(mclog_query "$DS" "$ALLSEL |= \"$ABSENT\"" "$TMP/scan_small.out" 0 --no-bloom)"
SCANS_S=$BEST SCANS_RSS=$RSS_KB
best_of forced_small "$(mclog_query "$DS" "$FORCED" "$TMP/forced_small.out")"
FORCEDS_S=$BEST FORCEDS_RSS=$RSS_KB

# One stream, one file: the head fills to its cap and is flushed again and again, so peak RSS must plateau.
single_import() { # FILE DATA → SINGLE_S, SINGLE_RSS
    rm -rf "$2"
    local t0
    stamp; t0=$_now
    /usr/bin/time -v -o "$TMP/single.time" "$BIN" import --data "$2" --labels '{job="nginx",zone="all"}' \
        --format nginx "$1" >"$TMP/single.log" 2>&1 || { cat "$TMP/single.log" >&2; die "single-stream import of $1 failed"; }
    stamp
    SINGLE_S=$(awk -v u="$(( _now - t0 ))" 'BEGIN { printf "%.6f", u / 1e6 }')
    SINGLE_RSS=$(max_rss_kb "$TMP/single.time")
    rm -rf "$2"
}
log "single-stream imports of a quarter and of all of $ALL"
head -n $(( LINES / 4 )) "$ALL" >"$WORK/quarter.log"
QUARTER_BYTES=$(stat -c %s "$WORK/quarter.log")
single_import "$WORK/quarter.log" "$WORK/data-single"
SQ_S=$SINGLE_S SQ_RSS=$SINGLE_RSS
single_import "$ALL" "$WORK/data-single"
SA_S=$SINGLE_S SA_RSS=$SINGLE_RSS
rm -f "$WORK/quarter.log"
log "  single stream: quarter $(secs3 "$SQ_S") s, $(mib_kb "$SQ_RSS") MiB; all $(secs3 "$SA_S") s, $(mib_kb "$SA_RSS") MiB"

# ---------------------------------------------------------------------------------------------- table
RARE_OK=OK
[[ $RARE_N == "$RARE_EXPECTED" && $GREP_RARE_N == "$RARE_EXPECTED" ]] || RARE_OK=MISMATCH
cpu=$(awk -F: '/model name/ { sub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null || true) ]]; then rev="$rev (modified)"; fi
ver() { "$@" 2>&1 | head -n 1 | tr -d '*|' | sed 's/, by .*//; s/^ *//; s/ *$//'; }

{
echo "# mclog benchmark"
echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · mclog $rev · ${cpu:-unknown CPU}, $(nproc) cores, ${mem:-? RAM} · best of $RUNS runs, page cache warm for all tools (caches not dropped) · LC_ALL=C"
echo
echo "Corpus: ${#ZONES[@]} nginx combined-format files (one stream per zone), $(mibs "$RAW") MiB = $RAW bytes, $LINES lines, 30 days ending 2026-11-01 (Benchmarks/make-corpus.py). Throughput = corpus bytes (newlines included) / wall-clock seconds; MB, GB decimal."
echo
echo "| Measurement | Time (s) | Throughput | Size / RSS | Ratio |"
echo "|---|---:|---:|---:|---|"
echo "| zstd -3 -T1 compress (reference) | $(secs3 "$ZSTD_S") | $(rate "$RAW" "$ZSTD_S" 1e6 1) MB/s | $ZSTD_BYTES B | raw/zstd = $(div "$RAW" "$ZSTD_BYTES") |"
if [[ -n $LZ4_BYTES ]]; then
echo "| lz4 -1 compress (reference) | $(secs3 "$LZ4_S") | $(rate "$RAW" "$LZ4_S" 1e6 1) MB/s | $LZ4_BYTES B | raw/lz4 = $(div "$RAW" "$LZ4_BYTES") |"
fi
echo "| zstd -dc \\| grep -c absent literal (reference) | $(secs3 "$ZGREP_S") | $(rate "$RAW" "$ZGREP_S" 1e9) GB/s | | |"
echo "| grep -c absent literal, plain file | $(secs3 "$GREP_S") | $(rate "$RAW" "$GREP_S" 1e9) GB/s | | |"
if [[ -n $RG_S ]]; then
echo "| rg -c absent literal, plain file | $(secs3 "$RG_S") | $(rate "$RAW" "$RG_S" 1e9) GB/s | | |"
fi
echo "| grep -c $RARE_IP, plain file | $(secs3 "$GREP_RARE_S") | $(rate "$RAW" "$GREP_RARE_S" 1e9) GB/s | | $GREP_RARE_N lines (expected $RARE_EXPECTED) |"
echo "| mclog import, 1 core (taskset -c 0), ${#ZONES[@]} runs | $(secs3 "$IMP1_S") | $(rate "$RAW" "$IMP1_S" 1e6 1) MB/s | peak RSS $(mib_kb "$IMP1_RSS") MiB | |"
echo "| mclog import, all $(nproc) cores, ${#ZONES[@]} runs | $(secs3 "$IMP2_S") | $(rate "$RAW" "$IMP2_S" 1e6 1) MB/s | peak RSS $(mib_kb "$IMP2_RSS") MiB | vs 1 core: $(div "$IMP1_S" "$IMP2_S")× |"
echo "| mclog stored bytes (stats) | | | $STORED B ($(mibs "$STORED") MiB; data dir $(mibs "$DIR_BYTES") MiB) | stored/zstd-3 = $(div "$STORED" "$ZSTD_BYTES" 3); raw/stored = $(div "$RAW" "$STORED") |"
echo "| mclog absent literal with blooms (pages pruned) | $(secs3 "$PRUNED_S") | $(rate "$RAW" "$PRUNED_S" 1e9) GB/s effective | | speedup vs full scan: $(div "$SCAN_S" "$PRUNED_S" 1)× |"
echo "| mclog full scan (--no-bloom), absent literal, all cores | $(secs3 "$SCAN_S") | $(rate "$RAW" "$SCAN_S" 1e9) GB/s | peak RSS $(mib_kb "$SCAN_RSS") MiB | speedup vs zstd -dc \\| grep: $(div "$ZGREP_S" "$SCAN_S")×; vs grep on plain: $(div "$GREP_S" "$SCAN_S")× |"
echo "| mclog full scan (--no-bloom), absent literal, 1 core | $(secs3 "$SCAN1_S") | $(rate "$RAW" "$SCAN1_S" 1e9) GB/s | peak RSS $(mib_kb "$SCAN1_RSS") MiB | speedup vs zstd -dc \\| grep: $(div "$ZGREP_S" "$SCAN1_S")× |"
echo "| mclog forced full scan (!= \"$FORCE_NEEDLE\"), all cores | $(secs3 "$FORCED_S") | $(rate "$RAW" "$FORCED_S" 1e9) GB/s | peak RSS $(mib_kb "$FORCED_RSS") MiB | speedup vs zstd -dc \\| grep: $(div "$ZGREP_S" "$FORCED_S")×; vs grep on plain: $(div "$GREP_S" "$FORCED_S")× |"
echo "| mclog forced full scan (!= \"$FORCE_NEEDLE\"), 1 core | $(secs3 "$FORCED1_S") | $(rate "$RAW" "$FORCED1_S" 1e9) GB/s | peak RSS $(mib_kb "$FORCED1_RSS") MiB | speedup vs zstd -dc \\| grep: $(div "$ZGREP_S" "$FORCED1_S")× |"
echo "| mclog rare literal $RARE_IP | $(secs3 "$RARE_S") | $(rate "$RAW" "$RARE_S" 1e9) GB/s effective | peak RSS $(mib_kb "$RARE_RSS") MiB | $RARE_N lines (expected $RARE_EXPECTED) $RARE_OK; speedup vs absent-literal scan: $(div "$SCAN_S" "$RARE_S" 1)×, vs forced full scan: $(div "$FORCED_S" "$RARE_S" 1)× |"
echo "| mclog label-selective {zone=\"kzone\"}, absent literal | $(secs3 "$LABEL_S") | $(rate "$KZONE_BYTES" "$LABEL_S" 1e9) GB/s of kzone | | speedup vs absent-literal scan: $(div "$SCAN_S" "$LABEL_S" 1)× (kzone = $(div "$((KZONE_BYTES * 100))" "$RAW" 1) % of bytes) |"
echo
echo "RSS scaling (import: max over the per-zone runs, all cores; queries: all cores):"
echo
echo "| Corpus | Raw MiB | Import time (s) | Import peak RSS (MiB) | Absent-literal scan (s) | its peak RSS (MiB) | Forced full scan (s) | its peak RSS (MiB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
echo "| 1/4 | $(mibs "$RAW_SMALL") | $(secs3 "$IMPS_S") | $(mib_kb "$IMPS_RSS") | $(secs3 "$SCANS_S") | $(mib_kb "$SCANS_RSS") | $(secs3 "$FORCEDS_S") | $(mib_kb "$FORCEDS_RSS") |"
echo "| full | $(mibs "$RAW") | $(secs3 "$IMP2_S") | $(mib_kb "$IMP2_RSS") | $(secs3 "$SCAN_S") | $(mib_kb "$SCAN_RSS") | $(secs3 "$FORCED_S") | $(mib_kb "$FORCED_RSS") |"
echo "| growth full / (1/4) | $(div "$RAW" "$RAW_SMALL") | $(div "$IMP2_S" "$IMPS_S") | $(div "$IMP2_RSS" "$IMPS_RSS") | $(div "$SCAN_S" "$SCANS_S") | $(div "$SCAN_RSS" "$SCANS_RSS") | $(div "$FORCED_S" "$FORCEDS_S") | $(div "$FORCED_RSS" "$FORCEDS_RSS") |"
echo
echo "Single stream, one file (the head is cut at its cap over and over):"
echo
echo "| Input | Raw MiB | Import time (s) | Throughput | Import peak RSS (MiB) |"
echo "|---|---:|---:|---:|---:|"
echo "| first quarter of all.log | $(mibs "$QUARTER_BYTES") | $(secs3 "$SQ_S") | $(rate "$QUARTER_BYTES" "$SQ_S" 1e6) MB/s | $(mib_kb "$SQ_RSS") |"
echo "| all.log | $(mibs "$RAW") | $(secs3 "$SA_S") | $(rate "$RAW" "$SA_S" 1e6) MB/s | $(mib_kb "$SA_RSS") |"
echo "| growth | $(div "$RAW" "$QUARTER_BYTES") | $(div "$SA_S" "$SQ_S") | | $(div "$SA_RSS" "$SQ_RSS") |"
echo
echo "Notes:"
echo
echo "- Commands: \`zstd -3 -T1 -c all.log\`; \`zstd -dc all.log.zst | grep -F -c $ABSENT\`; \`grep -F -c\` / \`rg -F -c\` on all.log; \`lz4 -1 -c\`; one \`mclog import --format nginx --labels '{job=\"nginx\",zone=\"<zone>\"}'\` per zone file into one fresh data dir; \`mclog query --limit 0 --output raw --since $SINCE '<query>'\`. Times are wall clock from process start to exit."
echo "- mclog stats: $ENTRIES entries (corpus: $LINES lines) $ENTRIES_OK; raw bytes ${STATS_RAW:-?} as mclog counts them (the table uses the corpus file bytes)."
echo "- The zstd | grep pipeline uses two processes (decompression is single-threaded in zstd)."
echo "- Query statistics (one untimed run each with --stats):"
echo "  - absent literal, blooms on: ${ABSENT_STATS:-n/a}"
echo "  - absent literal, --no-bloom: ${SCAN_STATS:-n/a}"
echo "  - forced full scan: ${FORCED_STATS:-n/a}"
echo "  - rare literal: ${RARE_STATS:-n/a}"
echo "  - label-selective: ${LABEL_STATS:-n/a}"
echo "- \"Full scan (--no-bloom), absent literal\" is \`{job=\"nginx\"} |= \"$ABSENT\"\` reading every page (\`--no-bloom\`): decompression plus one memmem per page, the raw scan rate. With blooms on, the same query is answered from the per-page 4-gram blooms without decompressing anything. \"Forced full scan\" (\`{job=\"nginx\"} != \"$FORCE_NEEDLE\"\`, every line contains the needle, 0 lines returned) filters every line one by one."
echo "- Tools: $(ver zstd --version); $(ver grep --version)${RG_S:+; $(ver rg --version)}${LZ4_BYTES:+; $(ver lz4 --version)}; timing: $( (( HYPERFINE )) && ver hyperfine --version || echo 'bash EPOCHREALTIME')."
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
logql_bench
{ echo; cat "$RESULTS_LOGQL"; } >>"$RESULTS"
cat "$RESULTS"
log "results written to $RESULTS"
if [[ $RARE_OK != OK ]]; then
    die "rare literal count mismatch: mclog $RARE_N, grep $GREP_RARE_N, generator $RARE_EXPECTED"
fi
