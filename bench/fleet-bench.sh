#!/usr/bin/env bash
# --on benchmark over real OpenSSH (as root). Brings up two labs (rustin: BENCH_RUSTIN_PREFIX,
# default 127.0.111, root /var/tmp/h9-rustin; cleveland: 127.0.112, /var/tmp/h9-cleveland), starts
# four sshd on 127.0.113.1-4:2222 (own host keys, a key pair made here; sshd's SetEnv points hosts
# r1,r3 at rustin's lab and r2,r4 at cleveland's, PATH at a launcher running this checkout's
# classes), then measures with hyperfine, in the same run:
#   A  mfshell --on r1,r2 instances           (whole process, fresh ControlPath each run: cold)
#   B  ssh r1 mfshell instances --json; ssh r2 mfshell instances --json   (sequential, cold)
#   C  mfshell --on r1,r2 instances           (warm ControlMaster: the shell session's case)
#   D  --on with 1, 2 and 4 hosts             (warm)
# Stops the sshd and the labs at the end. Usage: bench/fleet-bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
[ "$(id -u)" -eq 0 ] || { echo "bench/fleet-bench.sh: run as root" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/fleet-bench.sh: install hyperfine" >&2; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "bench/fleet-bench.sh: install openssh-server" >&2; exit 1; }
mvn -B -q -o compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/fleet-bench.cp >/dev/null
cp=$PWD/target/classes:$(cat target/fleet-bench.cp)
java=$(readlink -f "$(command -v java)")
mf=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$cp" org.mfshell.Main)
r_root=/var/tmp/h9-rustin c_root=/var/tmp/h9-cleveland
r_prefix=${BENCH_RUSTIN_PREFIX:-127.0.111} c_prefix=${BENCH_CLEVELAND_PREFIX:-127.0.112}
"${mf[@]}" lab up --root "$r_root" --prefix "$r_prefix" >/dev/null
"${mf[@]}" lab up --root "$c_root" --prefix "$c_prefix" >/dev/null
d=$(mktemp -d /tmp/h9b.XXXX)
pids=()
cleanup() {
    for h in r1 r2 r3 r4; do ssh -F "$d/ssh_config" -o ControlPath="$d/run/%C" -O exit "$h" >/dev/null 2>&1 || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    "${mf[@]}" lab down --root "$r_root" --prefix "$r_prefix" >/dev/null || true
    "${mf[@]}" lab down --root "$c_root" --prefix "$c_prefix" >/dev/null || true
    rm -rf -- "$d"
}
trap cleanup EXIT
mkdir -p /run/sshd "$d/bin" "$d/run" && chmod 700 "$d/run"
ssh-keygen -q -t ed25519 -N '' -f "$d/id"
cp "$d/id.pub" "$d/authorized_keys"
{ printf '#!/bin/sh\nexec'; printf " '%s'" "${mf[@]}"; printf ' "$@"\n'; } >"$d/bin/mfshell"
chmod 755 "$d/bin/mfshell"
: >"$d/known_hosts"; : >"$d/ssh_config"
for n in 1 2 3 4; do
    h=r$n addr=127.0.113.$n
    if (( n % 2 )); then croot=$r_root/etc; else croot=$c_root/etc; fi
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
SetEnv PATH=$d/bin:/usr/sbin:/usr/bin:/sbin:/bin MFSHELL_CONFIG_ROOT=$croot MFSHELL_STATE_DIR=$d/state-$h MFSHELL_AUDIT_LOG=$d/audit-$h.log
CONF
    /usr/sbin/sshd -D -e -f "$d/sshd_$h" 2>"$d/sshd_$h.log" &
    pids+=($!)
    echo "[$addr]:2222 $(cat "$d/host_$h.pub")" >>"$d/known_hosts"
    printf 'Host %s\n  HostName %s\n  Port 2222\n  User root\n  IdentityFile %s/id\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile %s/known_hosts\n  GlobalKnownHostsFile /dev/null\n' \
        "$h" "$addr" "$d" "$d" >>"$d/ssh_config"
done
for n in 1 2 3 4; do
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.113.$n/2222) 2>/dev/null && break; sleep 0.1; done
done
export MFSHELL_SSH_CONFIG=$d/ssh_config XDG_RUNTIME_DIR=$d/run
q() { printf '%q ' "$@"; }
on="$(q "${mf[@]}") --on"
sshc="ssh -F $d/ssh_config -o BatchMode=yes -o ControlPath=none"
cold="for h in r1 r2 r3 r4; do ssh -F $d/ssh_config -o ControlPath=$d/run/%C -O exit \$h >/dev/null 2>&1 || true; done"
echo "== the merged table"
"${mf[@]}" --on r1,r2 instances
echo "== cold (no ControlMaster), $runs runs"
hyperfine -w 1 -r "$runs" --prepare "$cold" \
    -n "on r1,r2 instances" "$on r1,r2 instances >/dev/null" \
    -n "ssh r1 ...; ssh r2 ... (sequential)" "$sshc r1 mfshell instances --json >/dev/null; $sshc r2 mfshell instances --json >/dev/null"
echo "== warm ControlMaster, $runs runs"
"${mf[@]}" --on r1,r2,r3,r4 instances >/dev/null
hyperfine -w 1 -r "$runs" \
    -n "on r1 instances" "$on r1 instances >/dev/null" \
    -n "on r1,r2 instances" "$on r1,r2 instances >/dev/null" \
    -n "on r1,r2,r3,r4 instances" "$on r1,r2,r3,r4 instances >/dev/null" \
    -n "local instances (rustin, no ssh)" "MFSHELL_CONFIG_ROOT=$r_root/etc $(q "${mf[@]}") instances >/dev/null"
