#!/usr/bin/env bash
# Benchmark of `mfshell check` and `mfshell metrics` as whole processes (wall time and peak RSS
# from /usr/bin/time -v), the runs of each case alternating in one loop, medians and ratios
# against the baseline `mfshell version` (JVM start and nothing else):
#   lab:   check, metrics --no-counters, metrics (counters, offsets warm) on a running lab
#   1 GB:  the same on a generated 1 GB log (five instance directories whose maillog_file is that
#          log, no Postfix running), offsets warm; and the catch-up: metrics counting the whole
#          1 GB from saved offsets at its start (the state restored before each run), checked
#          against genlog.py's exact counts
#   the Prometheus client's start-up share: classes it loads and the time of the first render
#          (bench/PromClientCost.java), and classes loaded by a whole `metrics --no-counters`.
# Not a test: run by hand, as root, on a quiet machine; prints uptime with the figures.
#
# usage: bench/metrics-bench.sh OUT_DIR
#   OUT_DIR  outside git, for the 1 GB log and the state (e.g. /var/tmp/NAME-bench); the log is
#            deleted at the end unless KEEP_LOG=1
# env: LAB_ROOT, LAB_PREFIX (the lab to use; `lab up` is run, idempotent), RUNS (default 5),
#      LINES (default 6500000, about 1 GB; generated as LINES/COPIES lines written COPIES times,
#      COPIES default 10), GENLOG (default ../shared/tools/genlog.py),
#      JAR (default target/mfshell.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: bench/metrics-bench.sh OUT_DIR}
RUNS=${RUNS:-5}
LINES=${LINES:-6500000}
COPIES=${COPIES:-10}
GENLOG=${GENLOG:-../shared/tools/genlog.py}
JAR=${JAR:-target/mfshell.jar}
: "${LAB_ROOT:?set LAB_ROOT (and LAB_PREFIX) to the lab to measure on}"
: "${LAB_PREFIX:?set LAB_PREFIX}"
[ "$(id -u)" -eq 0 ] || { echo "bench/metrics-bench.sh: run as root" >&2; exit 1; }
for t in /usr/bin/time python3 java postconf; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
[ -f "$JAR" ] || mvn -B -q -o -DskipTests package
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/mail.log
KEEP_LOG=${KEEP_LOG:-0}
cleanup() { [ "$KEEP_LOG" = 1 ] || rm -f "$LOG"; }
trap cleanup EXIT
java -jar "$JAR" lab up --root "$LAB_ROOT" --prefix "$LAB_PREFIX" >/dev/null

# One measured run: prints "wall_seconds max_rss_kib exit_code".
measure() {
    local f=$OUT/time.$$ code=0
    env "${ENVV[@]}" /usr/bin/time -v -o "$f" "$@" >/dev/null 2>"$OUT/stderr.$$" || code=$?
    python3 - "$f" "$code" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(w)))
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)
print(f"{secs:.3f} {rss} {sys.argv[2]}")
EOF
}

# cases: name|command ... ; each loop round runs every case once, in order.
run_cases() {
    local label=$1; shift
    local -a cases=("$@")
    : >"$OUT/$label.raw"
    for ((r = 1; r <= RUNS; r++)); do
        for c in "${cases[@]}"; do
            local name=${c%%|*} cmd=${c#*|}
            if [[ $name == catch-up ]]; then
                cp "$OUT/state-start.json" "$OUT/state/metrics/counters.state"
            fi
            # shellcheck disable=SC2086
            echo "$name $(measure $cmd)" >>"$OUT/$label.raw"
        done
    done
    python3 - "$OUT/$label.raw" "$label" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, wall, rss, code = line.split()
    rows.setdefault(name, []).append((float(wall), int(rss), int(code)))
base = statistics.median(w for w, _, _ in rows["baseline"])
print(f"\n### {sys.argv[2]}\n")
print("| case | median wall s | min | max | ratio to baseline | median peak RSS MiB | exit codes |")
print("|---|---|---|---|---|---|---|")
for name, v in rows.items():
    w = [x[0] for x in v]
    m = statistics.median(w)
    rss = statistics.median(x[1] for x in v) / 1024
    codes = ",".join(sorted({str(x[2]) for x in v}))
    print(f"| {name} | {m:.2f} | {min(w):.2f} | {max(w):.2f} | {m / base:.2f} | {rss:.0f} | {codes} |")
EOF
}

echo "## mfshell check and metrics, $(date -u +%Y-%m-%dT%H:%MZ), runs=$RUNS"
echo
echo "load before: $(uptime)"

# --- the lab ---------------------------------------------------------------------------------------
ENVV=(MFSHELL_CONFIG_ROOT="$LAB_ROOT/etc" MFSHELL_STATE_DIR="$OUT/lab-state" MFSHELL_MAIL_LOG="$LAB_ROOT/var/log/mail.log")
env "${ENVV[@]}" java -jar "$JAR" metrics >/dev/null
run_cases lab "baseline|java -jar $JAR version" "check|java -jar $JAR check" \
    "metrics-no-counters|java -jar $JAR metrics --no-counters" "metrics|java -jar $JAR metrics"

# --- the 1 GB log ----------------------------------------------------------------------------------
MASTER=/usr/share/postfix/master.cf.dist
[ -f "$MASTER" ] || MASTER=/etc/postfix/master.cf.proto
rm -rf "$OUT/etc" "$OUT/state"
for name in aol-a earthlink-a msn-a msn-b therest-a; do
    d=$OUT/etc/postfix-$name
    mkdir -p "$d" "$OUT/spool/$name"
    printf 'queue_directory = %s\nmaillog_file = %s\nsyslog_name = postfix-%s\ncompatibility_level = 3.6\n' \
        "$OUT/spool/$name" "$LOG" "$name" >"$d/main.cf"
    cp "$MASTER" "$d/master.cf"
done
ENVV=(MFSHELL_CONFIG_ROOT="$OUT/etc" MFSHELL_STATE_DIR="$OUT/state" MFSHELL_MAIL_LOG="$OUT/none.log")
# Saved offsets at the start of the (empty) log, then the log written into the same file.
: >"$LOG"
env "${ENVV[@]}" java -jar "$JAR" metrics >/dev/null
cp "$OUT/state/metrics/counters.state" "$OUT/state-start.json"
# genlog writes about 12k lines/s: a tenth of the lines, written COPIES times (counts multiplied).
echo "generating $((LINES / COPIES)) lines, $COPIES times, into $LOG"
python3 "$GENLOG" -n "$((LINES / COPIES))" --seed 7 --ts classic -o "$OUT/part.log" --stats "$OUT/expected.txt" >/dev/null
for ((i = 0; i < COPIES; i++)); do cat "$OUT/part.log"; done >>"$LOG"
rm -f "$OUT/part.log"
echo "log: $(du -h "$LOG" | cut -f1), $(wc -l <"$LOG") lines"
cat "$LOG" >/dev/null
# One catch-up, its counts against genlog's: every instance's total.
cp "$OUT/state-start.json" "$OUT/state/metrics/counters.state"
env "${ENVV[@]}" java -jar "$JAR" metrics >"$OUT/catch-up.prom"
python3 - "$OUT/catch-up.prom" "$OUT/expected.txt" "$COPIES" <<'EOF'
import re, sys
got = {}
for m in re.finditer(r'^mfshell_deliveries_total\{instance="([^"]+)",[^}]*status="(\w+)"\} (\S+)$', open(sys.argv[1]).read(), re.M):
    got[(m.group(1), m.group(2))] = got.get((m.group(1), m.group(2)), 0) + int(float(m.group(3)))
bad = 0
for line in open(sys.argv[2]):
    g, st, n = line.strip().split(":")
    if not g.startswith("postfix-") or st == "total":
        continue
    inst = g[len("postfix-"):]
    n = int(n) * int(sys.argv[3])
    if got.get((inst, st), 0) != n:
        bad += 1
        print(f"MISMATCH {inst} {st}: counters {got.get((inst, st), 0)} genlog {n}")
print("catch-up counts equal genlog's exact counts" if bad == 0 else f"{bad} mismatches")
EOF
run_cases 1gb "baseline|java -jar $JAR version" "check|java -jar $JAR check" \
    "metrics-no-counters|java -jar $JAR metrics --no-counters" "metrics-warm|java -jar $JAR metrics" \
    "catch-up|java -jar $JAR metrics"

# --- the Prometheus client at start-up -------------------------------------------------------------
echo
echo "### Prometheus client"
echo
for i in 1 2 3; do java -cp "target/app/mfshell.jar:target/app/lib/*" bench/PromClientCost.java; done
env "${ENVV[@]}" java -Xlog:class+load=info:file="$OUT/classes.txt" -jar "$JAR" metrics --no-counters >/dev/null
echo "whole metrics --no-counters process: $(grep -c . "$OUT/classes.txt") classes loaded, \
$(grep -c ' io\.prometheus\.' "$OUT/classes.txt") of them io.prometheus"
echo
echo "load after: $(uptime)"
rm -f "$OUT"/time.$$ "$OUT"/stderr.$$
