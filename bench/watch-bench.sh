#!/bin/bash
# Whole-process time and peak RSS of `mfshell watch --once` against the named baseline
# `mfshell check` on a running lab: the cost of what watch adds (its config, the state file under
# a lock, the change detector) over the same health + postqueue gathering. Runs alternate
# (baseline, watch, baseline, watch, ...); medians and the ratio are printed with `uptime`.
# The watch config has hold_down = 10000d, so no notice is ever sent and every run is the same.
# Not a test: run by hand, as root, with the lab up (mfshell lab up --root ROOT --prefix PREFIX).
#
# usage: bench/watch-bench.sh [RUNS]
# env: LAB_ROOT (default /var/tmp/mfshell-lab), JAR (default target/mfshell.jar), OUT (default bench/out-watch)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
LAB_ROOT=${LAB_ROOT:-/var/tmp/mfshell-lab}
JAR=${JAR:-target/mfshell.jar}
OUT=${OUT:-bench/out-watch}
[ "$(id -u)" -eq 0 ] || { echo "bench/watch-bench.sh: run as root" >&2; exit 1; }
[ -f "$LAB_ROOT/lab.properties" ] || { echo "no lab at $LAB_ROOT (mfshell lab up --root $LAB_ROOT)" >&2; exit 1; }
[ -f "$JAR" ] || mvn -B -q -DskipTests package
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
printf 'hold_down = 10000d\n[webhook]\nurl = http://127.0.0.1:9/never\n' >"$OUT/watch.conf"
export MFSHELL_CONFIG_ROOT=$LAB_ROOT/etc MFSHELL_STATE_DIR=$OUT/state MFSHELL_AUDIT_LOG=$OUT/audit.log
JAVA=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$JAR")
measure() { # name, args...: appends "seconds kilobytes" to $OUT/NAME.txt
    local name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$OUT/one.txt" "${JAVA[@]}" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$OUT/one.txt" >>"$OUT/$name.txt"
}
rm -f "$OUT/check.txt" "$OUT/watch.txt"
"${JAVA[@]}" watch --once --config "$OUT/watch.conf" >/dev/null # warm-up and first state
for ((i = 0; i < RUNS; i++)); do
    measure check check
    measure watch watch --once --config "$OUT/watch.conf"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ct=$(cut -d' ' -f1 "$OUT/check.txt" | median)
wt=$(cut -d' ' -f1 "$OUT/watch.txt" | median)
cr=$(cut -d' ' -f2 "$OUT/check.txt" | median)
wr=$(cut -d' ' -f2 "$OUT/watch.txt" | median)
echo "runs: $RUNS each, alternating; $(uptime)"
printf '| command | median wall s | median peak RSS MB |\n|---|---|---|\n'
printf '| check (baseline) | %s | %.0f |\n| watch --once | %s | %.0f |\n' "$ct" "$(echo "$cr / 1024" | bc -l)" "$wt" "$(echo "$wr / 1024" | bc -l)"
echo "ratio watch/check: time $(echo "scale=2; $wt / $ct" | bc -l), RSS $(echo "scale=2; $wr / $cr" | bc -l)"
