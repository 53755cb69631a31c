#!/usr/bin/env bash
# mailq on a large queue: whole-process times of
#   mfshell mailq NAME --summary,  mfshell mailq NAME --json | wc -l
# against the baseline  postqueue -c DIR -j | wc -l, plus mfshell's start-up (mfshell version)
# and peak RSS (/usr/bin/time -v). Not a test: run by hand, as root, on a machine with Postfix.
#
# It uses the lab (mfshell lab up) under MFSHELL_LAB_ROOT with MFSHELL_LAB_PREFIX, fills
# INSTANCE (default msn-a, whose hotmail.com/outlook.com mail the lab's provider defers with
# 4.7.651) with COUNT messages to those domains over parallel SMTP (bench/QueueFlood.java),
# lets qmgr try them (at most a minute), holds them all
# (postsuper -h ALL) so the queue stays still while measuring, runs hyperfine, and with
# CLEAN=1 deletes them again afterwards.
#
# Environment: MFSHELL_LAB_ROOT (default /var/tmp/mfshell-bench-lab), MFSHELL_LAB_PREFIX
# (default 127.0.9), INSTANCE, COUNT (100000), CONNECTIONS (8), RUNS (5), CLEAN (0),
# JAVA_FLAGS (default: the flags the Debian launcher uses for one-shot commands).
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=${MFSHELL_LAB_ROOT:-/var/tmp/mfshell-bench-lab}
PREFIX=${MFSHELL_LAB_PREFIX:-127.0.9}
INSTANCE=${INSTANCE:-msn-a}
COUNT=${COUNT:-100000}
CONNECTIONS=${CONNECTIONS:-8}
RUNS=${RUNS:-5}
CLEAN=${CLEAN:-0}
JAVA_FLAGS=${JAVA_FLAGS:-"-XX:+UseSerialGC -Xss1m -XX:-UsePerfData -XX:TieredStopAtLevel=1"}
OUT=${OUT:-bench/results}

for tool in hyperfine /usr/bin/time postqueue postsuper java; do
    command -v "$tool" >/dev/null || { echo "mailq-bench: $tool is missing" >&2; exit 2; }
done
[[ $EUID == 0 ]] || { echo "mailq-bench: needs root (the lab runs real Postfix instances)" >&2; exit 2; }

JAR=target/mfshell.jar
[[ -f $JAR ]] || mvn -B -q -o package -DskipTests
MF="java $JAVA_FLAGS -jar $JAR"
MF_C2="java -XX:+UseSerialGC -Xss1m -XX:-UsePerfData -jar $JAR"

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
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$OUT/mailq-bench.md" --export-json "$OUT/mailq-bench.json" \
    -n "baseline: postqueue -j | wc -l" "postqueue -c $CONF -j | wc -l" \
    -n "mfshell start-up (version)" "$MF version" \
    -n "mfshell mailq --summary" "$MF mailq $INSTANCE --summary >/dev/null" \
    -n "mfshell mailq --json | wc -l" "$MF mailq $INSTANCE --json | wc -l" \
    -n "mfshell mailq --summary (C2 JIT)" "$MF_C2 mailq $INSTANCE --summary >/dev/null" \
    -n "mfshell mailq --json | wc -l (C2 JIT)" "$MF_C2 mailq $INSTANCE --json | wc -l"

rss() { # peak RSS in MiB of one command
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }'
}
{
    echo
    echo "queue: $total messages in $INSTANCE"
    echo "peak RSS (MiB): postqueue -j $(rss postqueue -c "$CONF" -j)," \
        "mfshell version $(rss $MF version)," \
        "mailq --summary $(rss $MF mailq "$INSTANCE" --summary)," \
        "mailq --json $(rss $MF mailq "$INSTANCE" --json)," \
        "mailq --summary (C2) $(rss $MF_C2 mailq "$INSTANCE" --summary)," \
        "mailq --json (C2) $(rss $MF_C2 mailq "$INSTANCE" --json)"
    echo "java flags: $JAVA_FLAGS; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$OUT/mailq-bench.md"

if [[ $CLEAN == 1 ]]; then
    postsuper -c "$CONF" -d ALL 2>/dev/null || true
    echo "deleted the queue of $INSTANCE again"
fi
