#!/usr/bin/env bash
# Which JIT for `stats` over a big mail log: C1 only (the launcher's one-shot flags) against the
# full tiered C1+C2 (what the launcher uses for stats), both with the serial GC, and the JVM's
# defaults (G1), in the same run.
#   bench/stats-jit.sh LOG [RUNS]
# LOG: a large mail log (e.g. 7 million lines from the stats benchmark's generator, ~1 GB).
# Needs hyperfine and a built checkout (mvn package: target/app is the extracted layout).
set -euo pipefail
cd "$(dirname "$0")/.."
log=${1:?usage: bench/stats-jit.sh LOG [RUNS]}
runs=${2:-5}
jar=target/app/mfshell.jar
[[ -f $jar ]] || { echo "build first: mvn package" >&2; exit 1; }
cat "$log" >/dev/null # warm the page cache
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
hyperfine -N -w 1 -r "$runs" \
    "java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar $jar stats --log $log --format mf" \
    "java -XX:+UseSerialGC -jar $jar stats --log $log --format mf" \
    "java -jar $jar stats --log $log --format mf"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
