#!/usr/bin/env bash
# Lab start-up times, measured with hyperfine on the packaged jar (as root):
#   baseline         `lab status` on a running lab: JVM start + reading pid files and queues
#   up-running       `lab up` when everything already runs (idempotent path)
#   up-from-nothing  `lab up` after `lab down` and removing the lab root: configs, queues, start
# Uses its own lab (BENCH_LAB_ROOT, default /var/tmp/mfshell-bench-lab; BENCH_LAB_PREFIX, default
# 127.0.8) and stops it at the end. Usage: bench/lab-up.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
root="${BENCH_LAB_ROOT:-/var/tmp/mfshell-bench-lab}"
prefix="${BENCH_LAB_PREFIX:-127.0.8}"
[ "$(id -u)" -eq 0 ] || { echo "bench/lab-up.sh: run as root (the lab starts Postfix)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench/lab-up.sh: install hyperfine (apt-get install hyperfine)" >&2; exit 1; }
if [ ! -f target/mfshell.jar ] || [ -n "$(find src pom.xml -newer target/mfshell.jar -print -quit)" ]; then
    mvn -B -q package -DskipTests
fi
lab="java -jar target/mfshell.jar lab"
opts="--root $root --prefix $prefix"
# Remove the bench root only when it is a lab root.
wipe="$lab down $opts >/dev/null; if [ -f $root/lab.properties ]; then rm -rf $root; fi"
$lab up $opts >/dev/null
hyperfine --runs "$runs" --warmup 1 --export-markdown /dev/stdout \
    -n baseline "$lab status $opts" \
    -n up-running "$lab up $opts" \
    -n up-from-nothing --prepare "$wipe" "$lab up $opts"
$lab down $opts >/dev/null
