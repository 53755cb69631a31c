#!/bin/bash
# Benchmark of `mfshell stats --format mf --log` against `LC_ALL=C grep -F status= | mawk -f
# mf-stats.awk` on a 1 GB log, warm page cache (issue 18). Not a test: one command, run on a quiet
# machine. Baseline and mfshell run alternately, round after round (bench/alternate.py); it prints
# each one's median wall and CPU time and the ratio to the baseline.
#
# usage: bench/stats-bench.sh [--installed] [--runs N] [--dir DIR] [--awk FILE] [--genlog FILE] [--gz]
#   --installed  measure /usr/bin/mfshell and `java -jar /usr/share/mfshell/mfshell.jar` (the
#                package); default: packaging/mfshell of this checkout (its CDS archive is built
#                first) and `java -jar target/mfshell.jar` (the Boot jar) and target/app/mfshell.jar
#   --dir DIR    where the log lives or is generated (default /var/tmp/mfshell-stats-bench)
#   --awk FILE   mf-stats.awk, the counting rule (default ../shared/tools/mf-stats.awk if present)
#   --genlog F   genlog.py, only needed when DIR has no mail.log yet (default ../shared/tools/genlog.py)
#   --gz         also one .gz file and a rotated set of four .gz files (zcat | mawk as baseline)
# env: LINES (lines to generate, default 7000000, about 1 GB)
# Needs: python3, mawk, grep, java 17; gzip for --gz.
set -euo pipefail
cd "$(dirname "$0")/.."
installed=0 runs=10 dir=/var/tmp/mfshell-stats-bench gz=0
awk_rule=../shared/tools/mf-stats.awk genlog=../shared/tools/genlog.py
while (($#)); do
    case $1 in
        --installed) installed=1 ;;
        --runs) runs=$2; shift ;;
        --dir) dir=$2; shift ;;
        --awk) awk_rule=$2; shift ;;
        --genlog) genlog=$2; shift ;;
        --gz) gz=1 ;;
        *) echo "usage: bench/stats-bench.sh [--installed] [--runs N] [--dir DIR] [--awk FILE] [--genlog FILE] [--gz]" >&2; exit 2 ;;
    esac
    shift
done
for t in mawk python3 java; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
[[ -f $awk_rule ]] || { echo "no mf-stats.awk at $awk_rule: pass --awk FILE" >&2; exit 1; }
awk_rule=$(readlink -f -- "$awk_rule")
mkdir -p "$dir"
log=$dir/mail.log
if [[ ! -s $log ]]; then
    [[ -f $genlog ]] || { echo "no $log and no genlog.py at $genlog: pass --genlog FILE" >&2; exit 1; }
    echo "generating ${LINES:-7000000} lines into $log"
    python3 "$genlog" -n "${LINES:-7000000}" --seed 42 --ts mixed -o "$log" --stats "$dir/expected.txt"
fi

if ((installed)); then
    [[ -x /usr/bin/mfshell && -f /usr/share/mfshell/mfshell.jar ]] || { echo "mfshell is not installed" >&2; exit 1; }
    mf=/usr/bin/mfshell
    jars=(/usr/share/mfshell/mfshell.jar)
    echo "== installed: $(dpkg-query -W -f '${Package} ${Version}' mfshell 2>/dev/null), jar $(stat -c '%y' /usr/share/mfshell/mfshell.jar)"
    if [[ -f target/app/mfshell.jar ]] && cmp -s target/app/mfshell.jar /usr/share/mfshell/mfshell.jar; then
        echo "   (the same jar as this checkout's target/app, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
    fi
else
    [[ -f target/mfshell.jar && -f target/app/mfshell.jar ]] || mvn -B -q -o -DskipTests package
    mf=packaging/mfshell
    jars=(target/mfshell.jar target/app/mfshell.jar)
    packaging/mfshell-cds build
    echo "== checkout at commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
fi

base() { printf "bash -c 'LC_ALL=C grep -F status= %s | mawk -f %s'" "$1" "$awk_rule"; }
zbase() { printf "bash -c 'zcat %s | mawk -f %s'" "$1" "$awk_rule"; }

echo "== correctness (sorted output equal to the awk rule's)"
diff <(LC_ALL=C grep -F status= "$log" | mawk -f "$awk_rule" | LC_ALL=C sort) \
    <($mf stats --format mf --log "$log" | LC_ALL=C sort) && echo "   $mf: equal"
for j in "${jars[@]}"; do
    diff <(LC_ALL=C grep -F status= "$log" | mawk -f "$awk_rule" | LC_ALL=C sort) \
        <(java -jar "$j" stats --format mf --log "$log" | LC_ALL=C sort) && echo "   java -jar $j: equal"
done

cat "$log" >/dev/null # warm the page cache
echo "== $(du -h "$log" | cut -f1) plain log; uptime: $(uptime)"
pairs=(baseline "$(base "$log")" mfshell "$mf stats --format mf --log $log")
for j in "${jars[@]}"; do pairs+=("java -jar ${j##*/target/}" "java -jar $j stats --format mf --log $log"); done
python3 bench/alternate.py --runs "$runs" --warmup 1 "${pairs[@]}"

if ((gz)); then
    [[ -s $log.gz ]] || gzip -c -6 "$log" >"$log.gz"
    if [[ ! -s $dir/rot/mail.log.4.gz ]]; then
        mkdir -p "$dir/rot"
        split -n l/4 -d -a 2 "$log" "$dir/rot/part."
        i=1
        for p in "$dir"/rot/part.*; do gzip -c -6 "$p" >"$dir/rot/mail.log.$i.gz"; rm "$p"; i=$((i + 1)); done
    fi
    rot=$(ls "$dir"/rot/mail.log.*.gz | tr '\n' ' ')
    rotlogs=$(for f in $rot; do printf -- '--log %s ' "$f"; done)
    diff <(zcat $rot | mawk -f "$awk_rule" | LC_ALL=C sort) <($mf stats --format mf $rotlogs | LC_ALL=C sort) \
        && echo "   rotated .gz: equal"
    cat "$log.gz" $rot >/dev/null
    echo "== one .gz; uptime: $(uptime)"
    python3 bench/alternate.py --runs "$(((runs + 1) / 2))" --warmup 1 baseline "$(zbase "$log.gz")" \
        mfshell "$mf stats --format mf --log $log.gz"
    echo "== four rotated .gz; uptime: $(uptime)"
    python3 bench/alternate.py --runs "$(((runs + 1) / 2))" --warmup 1 baseline "$(zbase "$rot")" \
        mfshell "$mf stats --format mf $rotlogs"
fi
echo "== uptime after: $(uptime)"
