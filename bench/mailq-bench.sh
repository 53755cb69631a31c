#!/usr/bin/env bash
# mailq on a large queue: whole-process times of
#   mfshell mailq NAME --summary >/dev/null   and   mfshell mailq NAME --json | wc -l
# against the baseline  postqueue -c DIR -j | wc -l, run alternately in one run (baseline, summary,
# baseline, json, per round), medians, the ratios (of the medians, and the median of the per-round
# ratios) and peak RSS (/usr/bin/time), with the load (uptime) before and after. Not a test: run
# by hand, as root, on a machine with Postfix. Prints one markdown table row per mfshell variant
# and appends it to $OUT/mailq-bench.md.
#
# It uses the lab (mfshell lab up) under MFSHELL_LAB_ROOT with MFSHELL_LAB_PREFIX, fills
# INSTANCE (default msn-a, whose hotmail.com/outlook.com mail the lab's provider defers with
# 4.7.651) with COUNT messages to those domains over parallel SMTP (bench/QueueFlood.java) unless
# it already holds that many (the queue is kept between runs), lets qmgr try them (at most a
# minute), holds them all (postsuper -h ALL) so the queue stays still while measuring, and with
# CLEAN=1 deletes them again afterwards.
#
# VIA: jar (java $JAVA_FLAGS -jar target/mfshell.jar, the default), launcher (/usr/bin/mfshell,
# the installed .deb, with its CDS archive; LAUNCHER=packaging/mfshell takes a checkout's launcher,
# with the archive packaging/mfshell-cds build made) or both. READER: passed on as
# MFSHELL_QUEUE_READER (auto, files or postqueue; default auto).
#
# Environment: MFSHELL_LAB_ROOT (default /var/tmp/mfshell-bench-lab), MFSHELL_LAB_PREFIX
# (default 127.0.9), INSTANCE, COUNT (100000), CONNECTIONS (8), RUNS (7), CLEAN (0), VIA, READER,
# JAVA_FLAGS (default: the flags the Debian launcher uses for one-shot commands), OUT, LAUNCHER
# (default /usr/bin/mfshell).
#
# One command, e.g.:  VIA=both bench/mailq-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=${MFSHELL_LAB_ROOT:-/var/tmp/mfshell-bench-lab}
PREFIX=${MFSHELL_LAB_PREFIX:-127.0.9}
INSTANCE=${INSTANCE:-msn-a}
COUNT=${COUNT:-100000}
CONNECTIONS=${CONNECTIONS:-8}
RUNS=${RUNS:-7}
CLEAN=${CLEAN:-0}
JAVA_FLAGS=${JAVA_FLAGS:-"-XX:+UseSerialGC -Xss1m -XX:-UsePerfData -XX:TieredStopAtLevel=1"}
OUT=${OUT:-bench/results}

VIA=${VIA:-jar}
LAUNCHER=${LAUNCHER:-/usr/bin/mfshell}
READER=${READER:-auto}
case $VIA in jar|launcher|both) ;; *) echo "mailq-bench: VIA must be jar, launcher or both" >&2; exit 2 ;; esac
for tool in /usr/bin/time postqueue postsuper java; do
    command -v "$tool" >/dev/null || { echo "mailq-bench: $tool is missing" >&2; exit 2; }
done
[[ $EUID == 0 ]] || { echo "mailq-bench: needs root (the lab runs real Postfix instances)" >&2; exit 2; }
if [[ $VIA != jar && ! -x $LAUNCHER ]]; then
    echo "mailq-bench: VIA=$VIA needs the launcher $LAUNCHER (apt install ./target/mfshell_*_all.deb, or LAUNCHER=packaging/mfshell)" >&2
    exit 2
fi

JAR=target/mfshell.jar
[[ -f $JAR ]] || mvn -B -q -o package -DskipTests
MF="java $JAVA_FLAGS -jar $JAR"

export MFSHELL_LAB_ROOT=$ROOT MFSHELL_LAB_PREFIX=$PREFIX
$MF lab up --root "$ROOT" --prefix "$PREFIX" >/dev/null
export MFSHELL_CONFIG_ROOT=$ROOT/etc
CONF=$ROOT/etc/postfix-$INSTANCE
[[ -f $CONF/main.cf ]] || { echo "mailq-bench: no lab instance $INSTANCE under $ROOT/etc" >&2; exit 2; }
QDIR=$(postconf -c "$CONF" -h queue_directory)
LISTEN=$(postconf -c "$CONF" -M | awk '$2 == "inet" && $1 ~ /^127\./ { print $1; exit }')
[[ -n $LISTEN ]] || { echo "mailq-bench: $INSTANCE has no loopback smtpd" >&2; exit 2; }

queued() { find "$QDIR"/{maildrop,incoming,active,deferred,hold} -type f 2>/dev/null | wc -l; }

have=$(queued)
if (( have < COUNT )); then
    echo "filling $INSTANCE ($LISTEN) with $((COUNT - have)) messages over $CONNECTIONS SMTP connections..."
    start=$SECONDS
    # Only domains the lab provider defers for this instance: anything else would be delivered.
    java bench/QueueFlood.java "${LISTEN%:*}" "${LISTEN##*:}" "$PREFIX.30" $((COUNT - have)) "$CONNECTIONS" \
        hotmail.com outlook.com
    echo "letting qmgr try them once (at most 60 s)..."
    for _ in $(seq 30); do
        (( $(find "$QDIR"/{maildrop,incoming,active} -type f 2>/dev/null | wc -l) == 0 )) && break
        sleep 2
    done
    echo "filled in $((SECONDS - start)) s"
fi
# Hold everything: nothing moves while measuring, and held mail keeps its delay reason.
postsuper -c "$CONF" -h ALL 2>/dev/null || true
total=$(postqueue -c "$CONF" -j | wc -l)
echo "queue of $INSTANCE: $total messages"

mkdir -p "$OUT"
export MFSHELL_QUEUE_READER=$READER

variants=()
[[ $VIA == jar || $VIA == both ]] && variants+=("jar")
[[ $VIA == launcher || $VIA == both ]] && variants+=("launcher")
mfcmd() { [[ $1 == launcher ]] && echo "$LAUNCHER" || echo "$MF"; }

# One timed run: prints "SECONDS MAXRSS_KIB" (wall clock from date, RSS of the largest process).
timed() {
    local t0 t1 rss
    t0=$(date +%s.%N)
    /usr/bin/time -o "$TIMEF" -f '%M' bash -c "$1" >/dev/null 2>/dev/null || true
    t1=$(date +%s.%N)
    rss=$(tail -1 "$TIMEF")
    echo "$(echo "$t1 - $t0" | bc -l) $rss"
}
TIMEF=$(mktemp /tmp/mailq-bench.XXXXXX)
trap 'rm -f -- "$TIMEF"' EXIT
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

BASE="postqueue -c $CONF -j | wc -l"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A T R
for ((round = 0; round <= RUNS; round++)); do   # round 0 warms the caches and is not counted
    for v in "${variants[@]}"; do
        m=$(mfcmd "$v")
        for what in summary json; do
            b=$(timed "$BASE")
            if [[ $what == summary ]]; then r=$(timed "$m mailq $INSTANCE --summary"); else r=$(timed "$m mailq $INSTANCE --json | wc -l"); fi
            echo "$(date -u +%T) round $round $v $what baseline ${b% *} mfshell ${r% *} rss_kib ${r#* } load $(cut -d' ' -f1 /proc/loadavg)" >>"$OUT/mailq-bench-raw.log"
            ((round == 0)) && continue
            T[$v.$what.base]+="${b% *} "
            T[$v.$what]+="${r% *} "
            T[$v.$what.pair]+="$(echo "${r% *} / ${b% *}" | bc -l) "
            R[$v.$what]+="${r#* } "
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
set +e   # the raw times are in $OUT/mailq-bench-raw.log whatever happens below
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
[[ -n $(git status --porcelain 2>/dev/null | grep -v '^??') ]] && commit+="+dirty"
inst='-'
if dpkg-query -W -f='${Version}' mfshell >/dev/null 2>&1; then inst=$(dpkg-query -W -f='${Version}' mfshell); fi
header="| date (UTC) | via | reader | queue | baseline s | --summary s | ratio (pair) | baseline s | --json\|wc s | ratio (pair) | RSS MiB summary/json | load before / after | commit |"
echo "$header"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for v in "${variants[@]}"; do
    label=$v
    [[ $v == launcher && $LAUNCHER == /usr/bin/mfshell ]] && label+=" ($inst)"
    [[ $v == launcher && $LAUNCHER != /usr/bin/mfshell ]] && label+=" ($LAUNCHER)"
    row="| $(date -u '+%F %H:%M') | $label | $READER | $total |"
    for what in summary json; do
        bm=$(tr ' ' '\n' <<<"${T[$v.$what.base]}" | grep . | median)
        mm=$(tr ' ' '\n' <<<"${T[$v.$what]}" | grep . | median)
        pm=$(tr ' ' '\n' <<<"${T[$v.$what.pair]}" | grep . | median)
        row+=" $(printf '%.2f' "$bm") | $(printf '%.2f' "$mm") | $(printf '%.2fx (%.2fx)' "$(echo "$mm / $bm" | bc -l)" "$pm") |"
    done
    rs=$(tr ' ' '\n' <<<"${R[$v.summary]}" | grep . | sort -n | tail -1)
    rj=$(tr ' ' '\n' <<<"${R[$v.json]}" | grep . | sort -n | tail -1)
    row+=" $((rs / 1024)) / $((rj / 1024)) | $load_before / $load_after | $commit |"
    echo "$row"
    echo "$row" >>"$OUT/mailq-bench.md"
done
echo "($RUNS rounds after one warm-up round; $(nproc) cores; java flags for jar: $JAVA_FLAGS)"

if [[ $CLEAN == 1 ]]; then
    postsuper -c "$CONF" -d ALL 2>/dev/null || true
    echo "deleted the queue of $INSTANCE again"
fi
