#!/usr/bin/env bash
# Cross-host reroute against a same-host reroute (as root), alternating in one run. Brings up two
# labs (rustin: BENCH_CROSS_RUSTIN_PREFIX, default 127.0.164, root /var/tmp/crossflush-bench-rustin;
# cleveland: BENCH_CROSS_CLEVELAND_PREFIX, default 127.0.165), two sshd on BENCH_CROSS_SSH_PREFIX
# (default 127.0.167).11/.12 port 2222 (own host keys, a key pair made here, SetEnv pointing each
# at its lab, PATH at a launcher of this checkout's classes). Each round seeds rustin, then runs
#   A  flush msn-a --to msn-b --domain hotmail.com --yes               (rustin, no ssh)
#   B  flush rustin:msn-a --to cleveland:msn-b --domain hotmail.com --yes  (facts over ssh, run on rustin)
# in alternating order, each followed by its --restore. Reports per run: the source's own work
# (the flush's "mfshell's own work" line: preflight and steps, not the drain), its preflight, and
# the whole command's wall time; then medians and ratios. Usage: bench/crossflush-bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
[ "$(id -u)" -eq 0 ] || { echo "bench/crossflush-bench.sh: run as root" >&2; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "bench/crossflush-bench.sh: install openssh-server" >&2; exit 1; }
mvn -B -q -o compile
# The dependency plugin may not be in an offline ~/.m2: then the classpath of a test run surefire recorded.
if ! mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/crossflush-bench.cp >/dev/null 2>&1; then
    report=$(ls target/surefire-reports/TEST-*.xml 2>/dev/null | head -1)
    [ -n "$report" ] || { echo "bench/crossflush-bench.sh: no classpath (run one test first: mvn -o test -Dtest=TargetFactsTest)" >&2; exit 1; }
    sed -n 's/.*name="java.class.path" value="\([^"]*\)".*/\1/p' "$report" | head -1 | tr ':' '\n' \
        | grep -v '/target/\(test-\)\?classes$' | paste -sd: >target/crossflush-bench.cp
fi
cp=$PWD/target/classes:$(cat target/crossflush-bench.cp)
java=$(readlink -f "$(command -v java)")
mf=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$cp" org.mfshell.Main)
r_root=/var/tmp/crossflush-bench-rustin c_root=/var/tmp/crossflush-bench-cleveland
r_prefix=${BENCH_CROSS_RUSTIN_PREFIX:-127.0.164} c_prefix=${BENCH_CROSS_CLEVELAND_PREFIX:-127.0.165}
s_prefix=${BENCH_CROSS_SSH_PREFIX:-127.0.167}
d=$(mktemp -d /tmp/crossflush-bench.XXXX)
pids=()
cleanup() {
    for h in rustin cleveland; do ssh -F "$d/ssh_config" -o ControlPath="$d/run/%C" -O exit "$h" >/dev/null 2>&1 || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    "${mf[@]}" lab down --root "$r_root" --prefix "$r_prefix" >/dev/null || true
    "${mf[@]}" lab down --root "$c_root" --prefix "$c_prefix" >/dev/null || true
    rm -rf -- "$d"
}
trap cleanup EXIT
"${mf[@]}" lab up --root "$r_root" --prefix "$r_prefix" >/dev/null
"${mf[@]}" lab up --root "$c_root" --prefix "$c_prefix" >/dev/null
mkdir -p /run/sshd "$d/bin" "$d/run" "$d/state-rustin" "$d/state-cleveland" && chmod 700 "$d/run"
ssh-keygen -q -t ed25519 -N '' -f "$d/id"
cp "$d/id.pub" "$d/authorized_keys"
{ printf '#!/bin/sh\nexec'; printf " '%s'" "${mf[@]}"; printf ' "$@"\n'; } >"$d/bin/mfshell"
chmod 755 "$d/bin/mfshell"
: >"$d/known_hosts"; : >"$d/ssh_config"
n=10
for h in rustin cleveland; do
    n=$((n + 1)); addr=$s_prefix.$n
    if [ "$h" = rustin ]; then root=$r_root; else root=$c_root; fi
    ssh-keygen -q -t ed25519 -N '' -f "$d/host_$h"
    cat >"$d/sshd_$h" <<CONF
ListenAddress $addr:2222
HostKey $d/host_$h
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
AuthorizedKeysFile $d/authorized_keys
SetEnv PATH=$d/bin:/usr/sbin:/usr/bin:/sbin:/bin MFSHELL_CONFIG_ROOT=$root/etc MFSHELL_STATE_DIR=$d/state-$h MFSHELL_AUDIT_LOG=$d/audit-$h.log
CONF
    /usr/sbin/sshd -D -e -f "$d/sshd_$h" 2>"$d/sshd_$h.log" &
    pids+=($!)
    echo "[$addr]:2222 $(cat "$d/host_$h.pub")" >>"$d/known_hosts"
    printf 'Host %s\n  HostName %s\n  Port 2222\n  User root\n  IdentityFile %s/id\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile %s/known_hosts\n  GlobalKnownHostsFile /dev/null\n' \
        "$h" "$addr" "$d" "$d" >>"$d/ssh_config"
    for _ in $(seq 50); do (exec 3<>/dev/tcp/$addr/2222) 2>/dev/null && break; sleep 0.1; done
done
export MFSHELL_SSH_CONFIG=$d/ssh_config XDG_RUNTIME_DIR=$d/run
local_env=(env MFSHELL_CONFIG_ROOT=$r_root/etc MFSHELL_STATE_DIR=$d/state-rustin MFSHELL_AUDIT_LOG=$d/audit-rustin.log)
out=$d/out
run() { # NAME CMD...: runs it, appends "NAME own preflight wall" to $d/times
    local name=$1; shift
    local t0 t1; t0=$(date +%s.%N)
    "$@" >"$out" 2>&1 || { echo "bench: $name failed:"; cat "$out"; exit 1; }
    t1=$(date +%s.%N)
    local own pre
    own=$(sed -n "s/.*mfshell's own work \([0-9.]*\) s.*/\1/p" "$out")
    pre=$(sed -n 's/^timing: preflight \([0-9.]*\) s.*/\1/p' "$out")
    grep -q 'still deferred in msn-a: 0' "$out" || { echo "bench: $name left mail:"; cat "$out"; exit 1; }
    echo "$name $own $pre $(echo "$t1 - $t0" | bc)" >>"$d/times"
}
same=("${local_env[@]}" "${mf[@]}" flush msn-a --to msn-b --domain hotmail.com --yes --wait 90s)
cross=("${mf[@]}" flush rustin:msn-a --to cleveland:msn-b --domain hotmail.com --yes --wait 90s)
echo "load before: $(uptime)"
for i in $(seq "$rounds"); do
    for which in $( ((i % 2)) && echo "same cross" || echo "cross same"); do
        "${mf[@]}" lab seed --root "$r_root" --prefix "$r_prefix" >/dev/null
        if [ "$which" = same ]; then
            run same-host "${same[@]}"
            "${local_env[@]}" "${mf[@]}" flush msn-a --restore --yes >/dev/null
        else
            run cross-host "${cross[@]}"
            "${mf[@]}" flush rustin:msn-a --restore --yes >/dev/null
        fi
    done
done
echo "load after: $(uptime)"
echo "runs (name, own work s, preflight s, wall s):"
cat "$d/times"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for col in 2 3 4; do
    s=$(awk -v c=$col '$1=="same-host" {print $c}' "$d/times" | median)
    x=$(awk -v c=$col '$1=="cross-host" {print $c}' "$d/times" | median)
    label=$(case $col in 2) echo "own work";; 3) echo "preflight";; 4) echo "wall";; esac)
    printf '%-10s median same-host %6.2f s  cross-host %6.2f s  ratio %.2f\n' "$label" "$s" "$x" "$(echo "$x / $s" | bc -l)"
done
