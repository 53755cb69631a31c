#!/usr/bin/env bash
# Benchmark of `mfshell ips` on the lab (5 sending IPs, 4 DNSBL lists, 4 relay names) against a
# real NSD on 127.0.72.1: whole-process time with a cold DNS cache (the cache file deleted before
# each run) and a warm one (answers within their TTL), through packaging/mfshell (the launcher the
# .deb installs, on target/app). Also `instances` with and without dnsjava on the class path, to
# show the one-shot start-up does not pay for it. Not a test: run by hand, as root, after
# `mvn package` and `mvn test-compile`, with the lab up:
#   MFSHELL_LAB_PREFIX=127.0.71 MFSHELL_LAB_ROOT=/var/tmp/h6-lab mfshell lab up
# usage: bench/ips-bench.sh [RUNS]   env: MFSHELL_LAB_PREFIX, MFSHELL_LAB_ROOT, DNS_HOST (127.0.72.1)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
prefix=${MFSHELL_LAB_PREFIX:-127.0.1}
root=${MFSHELL_LAB_ROOT:-/var/tmp/mfshell-lab}
host=${DNS_HOST:-127.0.72.1}
for t in hyperfine java nsd; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
[[ -d target/app && -d target/test-classes ]] || { echo "build first: mvn package && mvn test-compile" >&2; exit 1; }
cp=target/test-classes:target/classes:$(ls target/app/lib/*.jar | tr '\n' ':')
work=$(mktemp -d)
# The DNS server lives as long as its stdin (the coprocess pipe) is open.
coproc DNS { java -cp "$cp" bench/IpsDnsUp.java "$prefix" "$host" "$work/dns"; }
dns_pid=$DNS_PID
dns_in=${DNS[1]}
trap 'eval "exec $dns_in>&-"; wait $dns_pid 2>/dev/null; rm -rf -- "$work"' EXIT
read -r line <&"${DNS[0]}"
[[ $line == ready ]] || { echo "DNS server did not start: $line" >&2; exit 1; }
export MFSHELL_CONFIG_ROOT=$root/etc MFSHELL_STATE_DIR=$work/state
ips="packaging/mfshell ips --resolver $host --suffix smtp.lab.invalid --lists $work/dns/lists.txt"
$ips >"$work/ips.txt"
echo "== ips output"
cat "$work/ips.txt"
echo "== ips, cold cache (cache file removed before each run) and warm cache ($runs runs each)"
hyperfine -N -w 2 -r "$runs" --export-json "$work/ips.json" \
    --prepare "rm -f $work/state/dns-cache.json" -n cold "$ips" \
    --prepare "true" -n warm "$ips" >/dev/null
echo "== instances: class path with and without dnsjava/slf4j ($runs runs each)"
nodns=$(echo "$cp" | tr ':' '\n' | grep -v -e dnsjava -e slf4j-nop -e test-classes | paste -sd:)
withdns=$(echo "$cp" | tr ':' '\n' | grep -v -e test-classes | paste -sd:)
hyperfine -N -w 3 -r "$runs" --export-json "$work/inst.json" \
    -n "instances, dnsjava on class path" "java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp $withdns org.mfshell.Main instances" \
    -n "instances, without dnsjava" "java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp $nodns org.mfshell.Main instances" >/dev/null
loaded=$(java -Xlog:class+load=info -cp "$withdns" org.mfshell.Main instances | grep -c 'org.xbill' || true)
python3 - "$work/ips.json" "$work/inst.json" "$loaded" <<'PY'
import json, sys
for f in sys.argv[1:3]:
    for r in json.load(open(f))["results"]:
        print(f'  {r["command"][:60]:<60} median {r["median"]:.3f} s  mean {r["mean"]:.3f} s  min {r["min"]:.3f} s  max {r["max"]:.3f} s  user {r["user"]:.3f} s')
print(f"  dnsjava classes loaded by 'instances': {sys.argv[3]}")
PY
