#!/usr/bin/env bash
# Start-up benchmark: one-shot `instances` and "interactive prompt ready", through the launcher
# (installed /usr/bin/mfshell, or packaging/mfshell of this checkout) against the baseline
# `java -jar target/mfshell.jar`, measured in the same run.
#   bench/startup.sh [LAUNCHER] [RUNS]
# Needs hyperfine and tmux, a built checkout (mvn package) and MFSHELL_CONFIG_ROOT pointing at
# Postfix instances (a lab). Prompt ready = from starting the process in a tmux pane to the
# prompt "mfshell@" appearing on the screen (tmux capture-pane polled every 5 ms).
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

prompt_ready() {
    local sock=mfbench$$-$RANDOM start now
    start=$(date +%s%N)
    tmux -L "$sock" new-session -d -x 160 -y 40 "$1" || { echo failed; return; }
    until tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q 'mfshell@'; do
        now=$(date +%s%N)
        if (((now - start) / 1000000 > 60000)); then
            tmux -L "$sock" kill-server 2>/dev/null
            echo timeout
            return
        fi
        sleep 0.005
    done
    now=$(date +%s%N)
    tmux -L "$sock" kill-server 2>/dev/null || true
    echo $(((now - start) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

prunes=$(( runs < 10 ? runs : 10 ))
echo "== interactive: prompt ready (tmux, $prunes runs each after 2 warm-ups, alternating)"
for c in "$launcher" "java -jar $jar"; do prompt_ready "$c" >/dev/null; prompt_ready "$c" >/dev/null; done
: >"$out/prompt-launcher.txt"
: >"$out/prompt-plain.txt"
for ((i = 0; i < prunes; i++)); do
    prompt_ready "$launcher" >>"$out/prompt-launcher.txt"
    prompt_ready "java -jar $jar" >>"$out/prompt-plain.txt"
done
printf '  %-45s median %s ms  (runs: %s)\n' "$launcher" "$(median <"$out/prompt-launcher.txt")" "$(tr '\n' ' ' <"$out/prompt-launcher.txt")"
printf '  %-45s median %s ms  (runs: %s)\n' "java -jar $jar" "$(median <"$out/prompt-plain.txt")" "$(tr '\n' ' ' <"$out/prompt-plain.txt")"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
