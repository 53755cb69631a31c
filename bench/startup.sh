#!/usr/bin/env bash
# Start-up benchmark: one-shot `instances` and "interactive prompt ready", through the launcher
# (installed /usr/bin/mfshell, or packaging/mfshell of this checkout) against the baseline
# `java -jar target/mfshell.jar`, measured in the same run.
#   bench/startup.sh [LAUNCHER] [RUNS]
# Needs hyperfine and python3, a built checkout (mvn package) and MFSHELL_CONFIG_ROOT pointing at
# Postfix instances (a lab). Prompt ready = from forking the process on a pseudo-terminal to the
# prompt "mfshell@" arriving on it (bench/prompt-ready.py; it blocks on the terminal instead of
# polling, so it takes no CPU from the shell it measures).
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=${1:-packaging/mfshell}
runs=${2:-20}
jar=target/mfshell.jar
[[ -f $jar ]] || { echo "build first: mvn package" >&2; exit 1; }
: "${MFSHELL_CONFIG_ROOT:?set MFSHELL_CONFIG_ROOT to a config root with Postfix instances (a lab)}"
out=bench/out
mkdir -p "$out"

echo "== one-shot: instances (hyperfine, $runs runs after 3 warm-ups)"
hyperfine -N -w 3 -r "$runs" --export-json "$out/oneshot.json" \
    "$launcher instances" "java -jar $jar instances" >/dev/null 2>&1 || hyperfine -N -w 3 -r "$runs" \
    --export-json "$out/oneshot.json" "$launcher instances" "java -jar $jar instances"
python3 - "$out/oneshot.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'  {r["command"]:<45} median {r["median"]:.3f} s  mean {r["mean"]:.3f} s  min {r["min"]:.3f} s  user {r["user"]:.3f} s')
PY

prunes=$(( runs < 15 ? runs : 15 ))
echo "== interactive: prompt ready (bench/prompt-ready.py on a pseudo-terminal, $prunes runs each after 2 warm-ups, alternating)"
# HOME is a scratch directory: the runs never touch the caller's history.
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT
: >"$out/prompt-launcher.txt"
: >"$out/prompt-plain.txt"
read -r -a lcmd <<<"$launcher"
for c in launcher plain; do
    if [[ $c == launcher ]]; then HOME=$scratch python3 bench/prompt-ready.py 1 2 "${lcmd[@]}" >/dev/null
    else HOME=$scratch python3 bench/prompt-ready.py 1 2 java -jar "$jar" >/dev/null; fi
done
for ((i = 0; i < prunes; i++)); do
    HOME=$scratch python3 bench/prompt-ready.py 1 0 "${lcmd[@]}" | head -1 >>"$out/prompt-launcher.txt"
    HOME=$scratch python3 bench/prompt-ready.py 1 0 java -jar "$jar" | head -1 >>"$out/prompt-plain.txt"
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
printf '  %-45s median %s ms  (runs: %s)\n' "$launcher" "$(median <"$out/prompt-launcher.txt")" "$(tr '\n' ' ' <"$out/prompt-launcher.txt")"
printf '  %-45s median %s ms  (runs: %s)\n' "java -jar $jar" "$(median <"$out/prompt-plain.txt")" "$(tr '\n' ' ' <"$out/prompt-plain.txt")"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
