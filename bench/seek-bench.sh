#!/usr/bin/env bash
# Benchmark of the bounded log window (log/TimeSeek): `mfshell check` (30-minute window) and
# `mfshell stats --since 2h` as whole processes on a generated 1 GB mail log whose lines end near
# now, with the seek on and with MFSHELL_LOG_SEEK=off, alternating (bench/alternate.py), medians,
# ratios to `mfshell version`. First checks that both modes print the same for fixed windows.
# Not a test: run by hand, as root; prints uptime with the figures.
#
# usage: bench/seek-bench.sh OUT_DIR
#   OUT_DIR  outside git (e.g. /var/tmp/NAME-bench); the log is deleted at the end unless KEEP_LOG=1
# env: RUNS (default 9), LINES (default 7000000, about 1 GB), GENLOG (default
#      ../shared/tools/genlog.py), JAR (default target/app/mfshell.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: bench/seek-bench.sh OUT_DIR}
RUNS=${RUNS:-9}
LINES=${LINES:-7000000}
GENLOG=${GENLOG:-../shared/tools/genlog.py}
JAR=${JAR:-target/app/mfshell.jar}
[ "$(id -u)" -eq 0 ] || { echo "bench/seek-bench.sh: run as root" >&2; exit 1; }
[ -f "$JAR" ] || mvn -B -q -o -DskipTests package
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/mail.log
cleanup() { [ "${KEEP_LOG:-0}" = 1 ] || rm -f "$LOG"; }
trap cleanup EXIT

MASTER=/usr/share/postfix/master.cf.dist
[ -f "$MASTER" ] || MASTER=/etc/postfix/master.cf.proto
rm -rf "$OUT/etc"
for name in aol-a earthlink-a msn-a msn-b therest-a; do
    d=$OUT/etc/postfix-$name
    mkdir -p "$d" "$OUT/spool/$name"
    printf 'queue_directory = %s\nmaillog_file = %s\nsyslog_name = postfix-%s\ncompatibility_level = 3.6\n' \
        "$OUT/spool/$name" "$LOG" "$name" >"$d/main.cf"
    cp "$MASTER" "$d/master.cf"
done
# genlog's lines are about 12 ms apart: start so that the last line is about now.
START=$(python3 -c "import datetime as d; print((d.datetime.now(d.timezone.utc) - d.timedelta(seconds=$LINES * 0.012)).strftime('%Y-%m-%dT%H:%M:%S'))")
python3 "$GENLOG" -n "$LINES" --seed 7 --ts classic --start "$START" -o "$LOG" >/dev/null
echo "log: $(stat -c %s "$LOG") bytes, first line $(head -c 15 "$LOG"), last $(tail -n 1 "$LOG" | head -c 15)"
cat "$LOG" >/dev/null

E="MFSHELL_CONFIG_ROOT=$OUT/etc MFSHELL_STATE_DIR=$OUT/state MFSHELL_MAIL_LOG=$OUT/none.log"
# The same output with and without the seek, for fixed windows (a window relative to now moves
# between two runs).
SINCE=$(python3 -c "import datetime as d; print((d.datetime.now() - d.timedelta(minutes=40)).strftime('%Y-%m-%dT%H:%M:%S'))")
UNTIL=$(python3 -c "import datetime as d; print((d.datetime.now() - d.timedelta(minutes=10)).strftime('%Y-%m-%dT%H:%M:%S'))")
for cmd in "check --since $SINCE" "stats --since $SINCE --until $UNTIL" "stats --by domain --since $SINCE"; do
    # shellcheck disable=SC2086
    env $E java -jar "$JAR" $cmd >"$OUT/on.txt" 2>&1 || true
    # shellcheck disable=SC2086
    env $E MFSHELL_LOG_SEEK=off java -jar "$JAR" $cmd >"$OUT/off.txt" 2>&1 || true
    if cmp -s "$OUT/on.txt" "$OUT/off.txt"; then echo "same output with and without the seek: $cmd"; else
        echo "DIFFERENT output: $cmd"; diff "$OUT/on.txt" "$OUT/off.txt" | head -20; fi
done

echo "load before: $(uptime)"
python3 bench/alternate.py --runs "$RUNS" \
    baseline "env $E java -jar $JAR version" \
    check-seek "env $E java -jar $JAR check" \
    check-noseek "env $E MFSHELL_LOG_SEEK=off java -jar $JAR check" \
    check-seek-1m "env $E java -jar $JAR check --since 1m" \
    stats-2h-seek "env $E java -jar $JAR stats --since 2h" \
    stats-2h-noseek "env $E MFSHELL_LOG_SEEK=off java -jar $JAR stats --since 2h"
echo "load after: $(uptime)"
rm -f "$OUT/on.txt" "$OUT/off.txt"
