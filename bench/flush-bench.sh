#!/usr/bin/env bash
# End-to-end time of a 1,000-message reroute on the lab (preflight to drained), and how much of
# it is Postfix's own wait after a main.cf change (any Postfix command stalls until main.cf is
# 2 s old).
#
# Runs, all in this one run, on the same lab and the same kind of mail (N messages to
# hotmail.com injected into msn-a, which the lab provider defers with 451 4.7.651):
#   baseline "reload-old"      postfix reload with a main.cf that is hours old
#   baseline "reload-fresh"    postfix reload right after main.cf was rewritten (same bytes)
#   baseline "wiki-by-hand"    the wiki's commands typed as fast as a script can: write
#                              transport.relay, postmap, uncomment transport_maps, reload, flush;
#                              timed until msn-a's queue is empty
#   "mfshell *"                mfshell flush msn-a --to msn-b --yes, preflight to drained
#   "mfshell --domain"         mfshell flush msn-a --to msn-b --domain hotmail.com --yes
#                              (postqueue -i per message), preflight to drained
# Each run starts with N deferred messages in msn-a; each reroute is undone (untimed) after.
#
# Usage (root, Postfix installed): bench/flush-bench.sh [N]
#   env MFSHELL_TEST_LAB_PREFIX (default 127.0.9), MFSHELL_TEST_LAB_ROOT (default /var/tmp/mfshell-test-lab)
#   SHAPE=handmade: the lab built as admins build relays (postmulti, one hostname, syslog only);
#   the wiki-by-hand baseline is left out there: on that shape it bounces every message.
set -euo pipefail
N=${1:-1000}
PREFIX=${MFSHELL_TEST_LAB_PREFIX:-127.0.9}
ROOT=${MFSHELL_TEST_LAB_ROOT:-/var/tmp/mfshell-test-lab}
cd "$(dirname "$0")/.."
[ "${SKIP_BUILD:-}" = 1 ] || mvn -B -q -o package -DskipTests
export MFSHELL_CONFIG_ROOT=$ROOT/etc MFSHELL_STATE_DIR=$ROOT/bench-state MFSHELL_AUDIT_LOG=$ROOT/bench-audit.log
mf() { java -jar target/mfshell.jar "$@"; }
SHAPE=${SHAPE:-default}
A=$ROOT/etc/postfix-msn-a
QA=$ROOT/spool/postfix-msn-a
if [ "$SHAPE" = handmade ]; then
    QA=$ROOT/var/spool/postfix-msn-a
    export MFSHELL_MAIL_LOG=$ROOT/var/log/mail.log
fi
B_IP=$PREFIX.5
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
count() { find "$QA/$1" -type f 2>/dev/null | wc -l; }
queued() { find "$QA"/maildrop "$QA"/incoming "$QA"/active "$QA"/deferred "$QA"/hold -type f 2>/dev/null | wc -l; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
mf lab up --root "$ROOT" --prefix "$PREFIX" --shape "$SHAPE" >/dev/null
mf lab block msn-a --root "$ROOT" --prefix "$PREFIX" >/dev/null

inject() {
    postsuper -c "$A" -d ALL >/dev/null 2>&1 || true
    postsuper -c "$ROOT/etc/postfix-msn-b" -d ALL >/dev/null 2>&1 || true
    python3 - "$PREFIX" "$N" <<'PY'
import smtplib, sys
prefix, n = sys.argv[1], int(sys.argv[2])
s = smtplib.SMTP(prefix + ".4", 25, local_hostname="bench.lab.invalid", source_address=(prefix + ".30", 0))
for i in range(n):
    msg = ("From: bench@lists.lab.invalid\r\nTo: user%d@hotmail.com\r\nSubject: bench %d\r\n"
           "Message-ID: <bench.%d@lists.lab.invalid>\r\n\r\nbench message %d\r\n") % (i, i, i, i)
    s.sendmail("bench-bounces@lists.lab.invalid", ["user%d@hotmail.com" % i], msg)
s.quit()
PY
    local t=0
    until [ "$(count deferred)" -ge "$N" ] && [ "$(count active)" -eq 0 ] && [ "$(count incoming)" -eq 0 ]; do
        sleep 0.2; t=$((t + 1)); [ $t -lt 1500 ] || { echo "msn-a did not defer $N messages" >&2; exit 1; }
    done
}
wait_drained() {
    until [ "$(queued)" -eq 0 ]; do sleep 0.05; done
}

# Baseline: a JVM that starts mfshell and prints its version (part of every mfshell run).
t0=$(now); mf version >/dev/null; t1=$(now); JVM=$(secs "$t0" "$t1")

# Baselines: reload with an old main.cf, and right after main.cf was rewritten.
touch -d '-1 hour' "$A/main.cf"
t0=$(now); postfix -c "$A" reload 2>/dev/null; t1=$(now); RELOAD_OLD=$(secs "$t0" "$t1")
cp -p "$A/main.cf" "$A/.main.cf.bench" && mv "$A/.main.cf.bench" "$A/main.cf" && touch "$A/main.cf"
t0=$(now); postfix -c "$A" reload 2>/dev/null; t1=$(now); RELOAD_FRESH=$(secs "$t0" "$t1")

# Baseline: the wiki's steps by hand.
WIKI=n/a
if [ "$SHAPE" = default ]; then
inject
t0=$(now)
printf '* smtp:[%s]\n' "$B_IP" > "$A/transport.relay"
postmap -c "$A" "hash:$A/transport.relay"
sed -i 's|^#transport_maps = |transport_maps = |' "$A/main.cf"
postfix -c "$A" reload 2>/dev/null
postfix -c "$A" flush 2>/dev/null
wait_drained
t1=$(now); WIKI=$(secs "$t0" "$t1")
sed -i 's|^transport_maps = |#transport_maps = |' "$A/main.cf"
rm -f "$A/transport.relay" "$A/transport.relay.db"
postfix -c "$A" reload 2>/dev/null
fi

run_mfshell() {
    inject
    local out t0 t1
    out=$(mktemp)
    t0=$(now)
    mf flush msn-a --to msn-b "$@" --yes --wait 10m >"$out" 2>/dev/null
    wait_drained
    t1=$(now)
    LAST_TOTAL=$(secs "$t0" "$t1")
    LAST_TIMING=$(grep '^timing:' "$out")
    LAST_SUMMARY=$(grep '^moved to' "$out")
    rm -f "$out"
    mf flush msn-a --restore --yes >/dev/null
}
run_mfshell
STAR_TOTAL=$LAST_TOTAL STAR_TIMING=$LAST_TIMING STAR_SUMMARY=$LAST_SUMMARY
run_mfshell --domain hotmail.com
DOM_TOTAL=$LAST_TOTAL DOM_TIMING=$LAST_TIMING DOM_SUMMARY=$LAST_SUMMARY
postsuper -c "$A" -d ALL >/dev/null 2>&1 || true

WAIT=$(awk -v a="$RELOAD_FRESH" -v b="$RELOAD_OLD" 'BEGIN { printf "%.2f", a - b }')
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
echo "flush-bench ($SHAPE lab): $N messages to hotmail.com deferred in msn-a, rerouted to msn-b ($(date -u +%FT%TZ), $(nproc) cores)"
echo "load average at start: $LOAD_START, at end: $LOAD_END (the machine is shared: compare within one run)"
printf '%-34s %8s s\n' "baseline mfshell version (JVM)" "$JVM" "baseline reload-old" "$RELOAD_OLD" "baseline reload-fresh" "$RELOAD_FRESH" \
    "  => Postfix's main.cf wait" "$WAIT" "baseline wiki-by-hand (to drained)" "$WIKI" \
    "mfshell * (preflight to drained)" "$STAR_TOTAL" "mfshell --domain (to drained)" "$DOM_TOTAL"
echo "mfshell *:        $STAR_SUMMARY"
echo "                  $STAR_TIMING"
echo "mfshell --domain: $DOM_SUMMARY"
echo "                  $DOM_TIMING"

