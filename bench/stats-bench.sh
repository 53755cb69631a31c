#!/bin/bash
# Benchmark of `mfshell stats --format mf` against the grep|mawk baseline (issue 4).
# Not a test: run by hand on a quiet machine, warm page cache.
#
# usage: bench/stats-bench.sh [OUT_DIR] [GENLOG] [AWK]
#   OUT_DIR  where the generated logs go (default bench/out, gitignored; ~1.3 GB)
#   GENLOG   genlog.py (default ../shared/tools/genlog.py)
#   AWK      mf-stats.awk (default ../shared/tools/mf-stats.awk)
# Besides wall time, hyperfine's User/System columns give CPU time, which stays comparable when
# other work shares the machine.
# env: LINES (default 7000000, about 1 GB), ROTATED (default 4 rotated .gz files),
#      RUNS (hyperfine runs, default 10), JAR (default target/mfshell.jar; built if missing)
# Needs: python3, hyperfine, mawk, gzip, GNU time (/usr/bin/time, Debian package `time`), java 17.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/out}
GENLOG=${2:-../shared/tools/genlog.py}
AWK=${3:-../shared/tools/mf-stats.awk}
LINES=${LINES:-7000000}
ROTATED=${ROTATED:-4}
RUNS=${RUNS:-10}
JAR=${JAR:-target/mfshell.jar}
mkdir -p "$OUT"
for t in hyperfine mawk gzip python3 java; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -f "$JAR" ] || mvn -B -q -DskipTests package

LOG=$OUT/mail.log
if [ ! -s "$LOG" ]; then
    echo "generating $LINES lines into $LOG"
    python3 "$GENLOG" -n "$LINES" --seed 42 --ts mixed -o "$LOG" --stats "$OUT/expected.txt"
fi
if [ ! -s "$LOG.gz" ]; then
    gzip -c -6 "$LOG" > "$LOG.gz"
fi
# Rotated set: the big log cut in ROTATED pieces at line boundaries, each gzipped (mail.log.N.gz).
if [ ! -s "$OUT/rot/mail.log.$ROTATED.gz" ]; then
    mkdir -p "$OUT/rot"
    split -n "l/$ROTATED" -d -a 2 "$LOG" "$OUT/rot/part."
    i=1
    for p in "$OUT"/rot/part.*; do gzip -c -6 "$p" > "$OUT/rot/mail.log.$i.gz"; rm "$p"; i=$((i + 1)); done
fi
ROT_GZ=$(ls "$OUT"/rot/mail.log.*.gz | tr "\n" " ")
ROT_LOGS=$(for f in $ROT_GZ; do printf -- '--log %s ' "$f"; done)

# The Boot fat jar (JarLauncher, nested jars) costs ~0.75 s of CPU at start-up; the extracted
# layout (plain jars, what a package or launcher would ship) starts like `java -cp`.
rm -rf "$OUT/extract"
java -Djarmode=tools -jar "$JAR" extract --destination "$OUT/extract" >/dev/null
XJAR=$OUT/extract/mfshell.jar
MF_FAT="java -jar $JAR stats --format mf"
MF="java -jar $XJAR stats --format mf"
MF_C1="java -XX:TieredStopAtLevel=1 -jar $XJAR stats --format mf"
MF_C2ONLY="java -XX:-TieredCompilation -jar $XJAR stats --format mf"

echo "== correctness"
diff <(LC_ALL=C grep -F status= "$LOG" | mawk -f "$AWK" | LC_ALL=C sort) <($MF --log "$LOG" | LC_ALL=C sort) && echo "plain: equal to mawk"
diff <(zcat "$LOG.gz" | mawk -f "$AWK" | LC_ALL=C sort) <($MF --log "$LOG.gz" | LC_ALL=C sort) && echo "gz: equal to mawk"
diff <(zcat $ROT_GZ | mawk -f "$AWK" | LC_ALL=C sort) <($MF $ROT_LOGS | LC_ALL=C sort) && echo "rotated gz: equal to mawk"

echo "== sizes"
ls -l "$LOG" "$LOG.gz" $ROT_GZ
cat "$LOG" > /dev/null; cat "$LOG.gz" $ROT_GZ > /dev/null  # warm the page cache

echo "== load before measuring: $(cat /proc/loadavg)"
echo "== plain file"
# JIT variants (C1 only, C2 only) are compared on the plain file, where the scan dominates.
hyperfine -N --warmup 1 --runs "$RUNS" --export-markdown "$OUT/plain.md" \
    -n baseline "bash -c 'LC_ALL=C grep -F status= $LOG | mawk -f $AWK'" \
    -n mfshell-fatjar "$MF_FAT --log $LOG" \
    -n mfshell "$MF --log $LOG" \
    -n mfshell-C1 "$MF_C1 --log $LOG" \
    -n mfshell-noTiered "$MF_C2ONLY --log $LOG"

echo "== one .gz"
hyperfine -N --warmup 1 --runs "$(( (RUNS + 1) / 2 ))" --export-markdown "$OUT/gz.md" \
    -n zcat-mawk "bash -c 'zcat $LOG.gz | mawk -f $AWK'" \
    -n mfshell-fatjar "$MF_FAT --log $LOG.gz" \
    -n mfshell "$MF --log $LOG.gz"

echo "== $ROTATED rotated .gz"
hyperfine -N --warmup 1 --runs "$(( (RUNS + 1) / 2 ))" --export-markdown "$OUT/rot.md" \
    -n zcat-mawk "bash -c 'zcat $ROT_GZ | mawk -f $AWK'" \
    -n mfshell-fatjar "$MF_FAT $ROT_LOGS" \
    -n mfshell "$MF $ROT_LOGS"

echo "== load while measuring: $(cat /proc/loadavg)"
echo "== peak RSS (max resident set, KiB)"
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}'; }
echo "mfshell plain:      $(rss $MF --log "$LOG")"
echo "mfshell gz:         $(rss $MF --log "$LOG.gz")"
echo "mfshell rotated gz: $(rss $MF $ROT_LOGS)"
echo "mawk (after grep):  $(rss bash -c "LC_ALL=C grep -F status= $LOG | mawk -f $AWK")  (bash only: pipe members are children)"
