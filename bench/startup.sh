#!/usr/bin/env bash
# Start-up benchmark (issue 18): one-shot `instances` over three Postfix instances and
# "interactive prompt ready" on a pseudo-terminal, mfshell against plain `java -jar` of the same
# jar, with the floors beside them (`mfshell version`, a plain Java main on the same JVM).
# Not a test: one command, run on a quiet machine. Commands run alternately, round after round
# (bench/alternate.py, bench/prompt-ready.py); medians, CPU and ratios are printed.
#
#   bench/startup.sh [--installed] [--runs N] [--root DIR]
#   --installed  /usr/bin/mfshell and /usr/share/mfshell/mfshell.jar (the package); default:
#                packaging/mfshell of this checkout (CDS archive built first) and target/mfshell.jar
#   --root DIR   where the three instances' configuration is made (default
#                /var/tmp/mfshell-startup-bench): DIR/etc/postfix-{a,b,c}, copied from /etc/postfix,
#                each with its own queue directory; nothing is started
# Needs python3, java 17, Postfix installed (postconf), root for the queue directories.
set -euo pipefail
cd "$(dirname "$0")/.."
installed=0 runs=20 root=/var/tmp/mfshell-startup-bench
while (($#)); do
    case $1 in
        --installed) installed=1 ;;
        --runs) runs=$2; shift ;;
        --root) root=$2; shift ;;
        *) echo "usage: bench/startup.sh [--installed] [--runs N] [--root DIR]" >&2; exit 2 ;;
    esac
    shift
done
command -v postconf >/dev/null || { echo "needs Postfix (postconf)" >&2; exit 1; }
if ((installed)); then
    mf=/usr/bin/mfshell jar=/usr/share/mfshell/mfshell.jar
    [[ -x $mf && -f $jar ]] || { echo "mfshell is not installed" >&2; exit 1; }
    echo "== installed: $(dpkg-query -W -f '${Package} ${Version}' mfshell 2>/dev/null), jar $(stat -c '%y' $jar)"
    if [[ -f target/app/mfshell.jar ]] && cmp -s target/app/mfshell.jar $jar; then
        echo "   (the same jar as this checkout's target/app, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
    fi
else
    [[ -f target/mfshell.jar ]] || mvn -B -q -o -DskipTests package
    mf=packaging/mfshell jar=target/mfshell.jar
    packaging/mfshell-cds build
    echo "== checkout at commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
fi

# Three instances as an admin makes them: copies of /etc/postfix (an empty main.cf where Debian's
# package left none), own queue and data directories.
etc=$root/etc
for n in a b c; do
    d=$etc/postfix-$n
    if [[ ! -f $d/main.cf ]]; then
        mkdir -p "$d" "$root/spool/postfix-$n" "$root/lib/postfix-$n"
        cp /etc/postfix/master.cf "$d/"
        if [[ -f /etc/postfix/main.cf ]]; then cp /etc/postfix/main.cf "$d/"; else : >"$d/main.cf"; fi
        postconf -c "$d" -e "queue_directory = $root/spool/postfix-$n" "data_directory = $root/lib/postfix-$n" \
            "syslog_name = postfix-$n" "inet_interfaces = loopback-only" "multi_instance_name = postfix-$n" \
            "transport_maps = hash:$d/transport"
        : >"$d/transport"
        postmap -c "$d" "hash:$d/transport"
    fi
done
export MFSHELL_CONFIG_ROOT=$etc
# The discovery cache (issue 18) in a scratch directory of this run, warmed by the check below.
export MFSHELL_CACHE_DIR=$root/cache-$$
[[ $($mf instances --json | grep -c '"name"') -ge 3 ]] || { echo "mfshell does not see 3 instances under $etc" >&2; exit 1; }

# The floor: a plain Java main on the same JVM.
hello=$root/hello
if [[ ! -f $hello/Hello.class ]]; then
    mkdir -p "$hello"
    printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$hello/Hello.java"
    javac -d "$hello" "$hello/Hello.java"
fi

echo "== one-shot; uptime: $(uptime)"
python3 bench/alternate.py --runs "$runs" --warmup 3 "java -jar (baseline)" "java -jar $jar instances" \
    "mfshell instances" "$mf instances" \
    "mfshell instances, cache off" "env MFSHELL_DISCOVERY_CACHE=off $mf instances" "mfshell version" "$mf version" \
    "plain Java main" "java -Xshare:auto -XX:TieredStopAtLevel=1 -cp $hello Hello"

prunes=$((runs < 15 ? runs : 15))
echo "== prompt ready on a pty ($prunes rounds after 2 warm-ups, alternating); uptime: $(uptime)"
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch" "$MFSHELL_CACHE_DIR"' EXIT
read -r -a lcmd <<<"$mf"
HOME=$scratch python3 bench/prompt-ready.py 1 2 "${lcmd[@]}" >/dev/null
HOME=$scratch python3 bench/prompt-ready.py 1 2 java -jar "$jar" >/dev/null
: >"$scratch/l.txt"
: >"$scratch/p.txt"
for ((i = 0; i < prunes; i++)); do
    HOME=$scratch python3 bench/prompt-ready.py 1 0 "${lcmd[@]}" | sed -n 1p >>"$scratch/l.txt"
    HOME=$scratch python3 bench/prompt-ready.py 1 0 java -jar "$jar" | sed -n 1p >>"$scratch/p.txt"
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ml=$(median <"$scratch/l.txt") mp=$(median <"$scratch/p.txt")
printf '  %-28s median %6s ms  (runs: %s)\n' "java -jar (baseline)" "$mp" "$(tr '\n' ' ' <"$scratch/p.txt")"
printf '  %-28s median %6s ms  (runs: %s)\n' "mfshell" "$ml" "$(tr '\n' ' ' <"$scratch/l.txt")"
awk -v l="$ml" -v p="$mp" 'BEGIN {printf "  ratio %.2fx\n", l / p}'
echo "== uptime after: $(uptime)"
