#!/usr/bin/env bash
# mailq --reason REGEX on a 56-message queue of the lab: whole-process time for a plain pattern
# and for patterns that make a backtracking engine take exponential time. Not a test: run by
# hand, as root, after mvn package, on a machine with Postfix. Issue 12 item 6 reported
# '(.*a){8}x' running past 30 s with java.util.regex; --reason now goes through RE2/J.
#
# Environment: MFSHELL_LAB_ROOT (default /var/tmp/mfshell-bench-lab), MFSHELL_LAB_PREFIX
# (default 127.0.9), COUNT (56), LIMIT (timeout per run in seconds, default 120),
# MFSHELL (default packaging/mfshell).
set -euo pipefail
cd "$(dirname "$0")/.."
export MFSHELL_LAB_ROOT=${MFSHELL_LAB_ROOT:-/var/tmp/mfshell-bench-lab}
export MFSHELL_LAB_PREFIX=${MFSHELL_LAB_PREFIX:-127.0.9}
COUNT=${COUNT:-56}
LIMIT=${LIMIT:-120}
MFSHELL=${MFSHELL:-packaging/mfshell}
export MFSHELL_CONFIG_ROOT="$MFSHELL_LAB_ROOT/etc"
export MFSHELL_STATE_DIR="$MFSHELL_LAB_ROOT/state" MFSHELL_AUDIT_LOG="$MFSHELL_LAB_ROOT/log/audit.log"
CONF="$MFSHELL_CONFIG_ROOT/postfix-msn-a"

$MFSHELL lab up >/dev/null
sender="reason-bench-$$@bench.test"
for i in $(seq 1 "$COUNT"); do
    printf 'From: %s\nTo: r%d@hotmail.com\nSubject: reason bench %d\n\nx\n' "$sender" "$i" "$i" \
        | sendmail -C "$CONF" -f "$sender" "r$i@hotmail.com"
done
# msn-a's hotmail.com mail is deferred by the lab provider (4.7.651, a 300-character reason).
for _ in $(seq 1 60); do
    n=$($MFSHELL mailq msn-a --sender "$sender" --queue deferred --json | wc -l)
    [ "$n" -ge "$COUNT" ] && break
    sleep 1
done
echo "queue: $n deferred messages of $sender in msn-a"
for p in 'zzz' '4\.7\.651' '(.*a){8}x' '(.*a){12}x' '(a|aa)*b'; do
    s=$(date +%s.%N)
    if timeout "$LIMIT" $MFSHELL mailq msn-a --sender "$sender" --reason "$p" --json >/dev/null; then r=done; else r="rc $?"; fi
    printf '%-12s %6.2f s  %s\n' "$p" "$(echo "$(date +%s.%N) - $s" | bc)" "$r"
done
$MFSHELL delete msn-a --sender "$sender" --yes >/dev/null
