#!/usr/bin/env bash
# --on benchmark over real OpenSSH (as root), on a built checkout (mvn package; mfshell runs as
# packaging/mfshell, the launcher). Brings up two labs (rustin: BENCH_RUSTIN_PREFIX, default
# 127.0.111, root BENCH_ROOT-rustin, default /var/tmp/h9-rustin; cleveland: BENCH_CLEVELAND_PREFIX,
# 127.0.112, BENCH_ROOT-cleveland), starts six sshd on BENCH_SSH_PREFIX.1-6:2222 (default
# 127.0.113; own host keys, a key pair made here; sshd's SetEnv points r1,r3,o1 at rustin's lab and
# r2,r4,o2 at cleveland's; o1,o2 run a launcher that behaves like a remote from before the version
# check was folded in: it refuses --json-shapes, as an old mfshell does, and its version --json does
# not offer it, so those hosts cost two remote JVMs each), then measures, in the same run (alternating round by round, bench/alternate-sh.py):
#   A  mfshell --on r1,r2 instances           (whole process, masters ended before each run: cold)
#   B  ssh r1 mfshell instances --json; ssh r2 mfshell instances --json   (sequential, cold)
#   C  --on with 1, 2 and 4 hosts, warm ControlMaster; and o1,o2 (the check as its own run)
#   E  the fleet shell: `instances` typed at the prompt of `mfshell --on HOSTS` (1, 2, 4 hosts),
#      Enter to next prompt (bench/fleet-shell-timing.py on a pseudo-terminal)
# Stops the sshd and the labs at the end. Usage: bench/fleet-bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
[ "$(id -u)" -eq 0 ] || { echo "bench/fleet-bench.sh: run as root" >&2; exit 1; }
[ -x /usr/sbin/sshd ] || { echo "bench/fleet-bench.sh: install openssh-server" >&2; exit 1; }
[[ -f target/mfshell.jar ]] || { echo "bench/fleet-bench.sh: build first: mvn package" >&2; exit 1; }
mf=("$PWD/packaging/mfshell")
r_root=${BENCH_ROOT:-/var/tmp/h9}-rustin c_root=${BENCH_ROOT:-/var/tmp/h9}-cleveland
r_prefix=${BENCH_RUSTIN_PREFIX:-127.0.111} c_prefix=${BENCH_CLEVELAND_PREFIX:-127.0.112}
s_prefix=${BENCH_SSH_PREFIX:-127.0.113}
"${mf[@]}" lab up --root "$r_root" --prefix "$r_prefix" >/dev/null
"${mf[@]}" lab up --root "$c_root" --prefix "$c_prefix" >/dev/null
d=$(mktemp -d /tmp/h9b.XXXX)
pids=()
cleanup() {
    for h in r1 r2 r3 r4 o1 o2; do ssh -F "$d/ssh_config" -o ControlPath="$d/run/%C" -O exit "$h" >/dev/null 2>&1 || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    "${mf[@]}" lab down --root "$r_root" --prefix "$r_prefix" >/dev/null || true
    "${mf[@]}" lab down --root "$c_root" --prefix "$c_prefix" >/dev/null || true
    rm -rf -- "$d"
}
trap cleanup EXIT
mkdir -p /run/sshd "$d/bin" "$d/oldbin" "$d/run" && chmod 700 "$d/run"
ssh-keygen -q -t ed25519 -N '' -f "$d/id"
cp "$d/id.pub" "$d/authorized_keys"
{ printf '#!/bin/sh\nexec'; printf " '%s'" "${mf[@]}"; printf ' "$@"\n'; } >"$d/bin/mfshell"
chmod 755 "$d/bin/mfshell"
cat >"$d/oldbin/mfshell" <<OLD
#!/bin/sh
case "\$1" in
--json-shapes) echo "mfshell: unknown command '--json-shapes'" >&2; exit 2;;
version) "$d/bin/mfshell" "\$@" | sed -e 's/"json_shapes_option":true,//' -e 's/"operator_option":true,//'; exit 0;;
esac
exec "$d/bin/mfshell" "\$@"
OLD
chmod 755 "$d/oldbin/mfshell"
: >"$d/known_hosts"; : >"$d/ssh_config"
for n in 1 2 3 4 5 6; do
    h=r$n addr=$s_prefix.$n bin=$d/bin
    if (( n > 4 )); then h=o$((n - 4)) bin=$d/oldbin; fi
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
SetEnv PATH=$bin:/usr/sbin:/usr/bin:/sbin:/bin MFSHELL_CONFIG_ROOT=$croot MFSHELL_STATE_DIR=$d/state-$h MFSHELL_AUDIT_LOG=$d/audit-$h.log
CONF
    /usr/sbin/sshd -D -e -f "$d/sshd_$h" 2>"$d/sshd_$h.log" &
    pids+=($!)
    echo "[$addr]:2222 $(cat "$d/host_$h.pub")" >>"$d/known_hosts"
    printf 'Host %s\n  HostName %s\n  Port 2222\n  User root\n  IdentityFile %s/id\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n  UserKnownHostsFile %s/known_hosts\n  GlobalKnownHostsFile /dev/null\n' \
        "$h" "$addr" "$d" "$d" >>"$d/ssh_config"
done
for n in 1 2 3 4 5 6; do
    for _ in $(seq 50); do (exec 3<>/dev/tcp/$s_prefix.$n/2222) 2>/dev/null && break; sleep 0.1; done
done
export MFSHELL_SSH_CONFIG=$d/ssh_config XDG_RUNTIME_DIR=$d/run
q() { printf '%q ' "$@"; }
on="$(q "${mf[@]}") --on"
sshc="ssh -F $d/ssh_config -o BatchMode=yes -o ControlPath=none"
cold="for h in r1 r2 r3 r4 o1 o2; do ssh -F $d/ssh_config -o ControlPath=$d/run/%C -O exit \$h >/dev/null 2>&1 || true; done"
echo "== the merged table"
"${mf[@]}" --on r1,r2 instances
echo "== cold (no ControlMaster before each run), $runs rounds, alternating (bench/alternate-sh.py)"
python3 bench/alternate-sh.py "$runs" --prepare "$cold" \
    "on r1,r2 instances=$on r1,r2 instances >/dev/null" \
    "ssh r1 ...; ssh r2 ... (sequential)=$sshc r1 mfshell instances --json >/dev/null; $sshc r2 mfshell instances --json >/dev/null"
echo "== warm ControlMaster, $runs rounds, alternating"
"${mf[@]}" --on r1,r2,r3,r4,o1,o2 instances >/dev/null
python3 bench/alternate-sh.py "$runs" \
    "on r1,r2 instances=$on r1,r2 instances >/dev/null" \
    "on o1,o2 instances (check as its own run)=$on o1,o2 instances >/dev/null" \
    "on r1 instances=$on r1 instances >/dev/null" \
    "on r1,r2,r3,r4 instances=$on r1,r2,r3,r4 instances >/dev/null" \
    "local instances (rustin, no ssh)=MFSHELL_CONFIG_ROOT=$r_root/etc $(q "${mf[@]}") instances >/dev/null"
echo "== the fleet shell: instances at the prompt, warm ControlMaster, $runs runs each"
for hosts in r1 r1,r2 r1,r2,r3,r4 o1,o2; do
    echo "-- mfshell --on $hosts"
    HOME=$d python3 bench/fleet-shell-timing.py "$runs" instances "${mf[@]}" --on "$hosts" | tail -1
done
