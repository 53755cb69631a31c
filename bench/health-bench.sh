#!/bin/bash
# Benchmark of `mfshell health` (log scan with reply texts, reason normalising, signature
# matching) against the named baseline `mfshell stats --format mf` over the same log: the cost
# of what health adds to the stats scan. Not a test: run by hand on a quiet machine, as root or
# any user with Postfix's postconf installed, warm page cache.
#
# usage: bench/health-bench.sh [OUT_DIR] [GENLOG]
#   OUT_DIR  where the generated log and the fake config root go (default bench/out-health)
#   GENLOG   genlog.py (default ../shared/tools/genlog.py)
# env: LINES (default 2000000), RUNS (hyperfine runs, default 5), JAR (default target/mfshell.jar)
# The config root holds one postfix-NAME/main.cf per instance of the generated log, each with
# maillog_file = the generated log (LogLocator reads each file once) and no running Postfix.
# Needs: python3, hyperfine, postconf, java 17.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/out-health}
GENLOG=${2:-../shared/tools/genlog.py}
LINES=${LINES:-2000000}
RUNS=${RUNS:-5}
JAR=${JAR:-target/mfshell.jar}
for t in hyperfine python3 java postconf; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
[ -f "$JAR" ] || mvn -B -q -DskipTests package
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/mail.log
if [ ! -s "$LOG" ]; then
    echo "generating $LINES lines into $LOG"
    python3 "$GENLOG" -n "$LINES" --seed 7 --ts mixed -o "$LOG" --stats "$OUT/expected.txt"
fi
MASTER=/usr/share/postfix/master.cf.dist
[ -f "$MASTER" ] || MASTER=/etc/postfix/master.cf.proto
for name in aol-a earthlink-a msn-a msn-b therest-a; do
    d=$OUT/etc/postfix-$name
    mkdir -p "$d" "$OUT/spool/$name"
    printf 'queue_directory = %s\nmaillog_file = %s\nsyslog_name = postfix-%s\ncompatibility_level = 3.6\n' \
        "$OUT/spool/$name" "$LOG" "$name" > "$d/main.cf"
    cp "$MASTER" "$d/master.cf"
    touch -d '1 hour ago' "$d/main.cf" "$d/master.cf"
done
export MFSHELL_CONFIG_ROOT=$OUT/etc
# Every line of the generated log lies inside this window.
SINCE=2000-01-01
ls -l "$LOG"
cat "$LOG" > /dev/null
echo "== output"
java -jar "$JAR" health --since $SINCE | head -20
echo "== times"
hyperfine -N --warmup 1 --runs "$RUNS" --export-markdown "$OUT/health.md" \
    -n baseline-stats "java -jar $JAR stats --format mf --since $SINCE --log $LOG" \
    -n health "java -jar $JAR health --since $SINCE"
