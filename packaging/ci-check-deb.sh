#!/usr/bin/env bash
# Checks the Debian package `mvn package` built (target/mfshell_VERSION_all.deb) on a Debian
# machine, as root (CI): its contents (dpkg-deb -c), lintian without errors, install with dpkg
# (apt-get -f install for dependencies), `mfshell version` and `mfshell instances` through
# /usr/bin/mfshell against a lab of real Postfix instances, the class data sharing archive the
# postinst built (valid: the JVM must map it), the man page and bash completion as installed,
# then purge and check that nothing the package installed or created is left behind.
#   MFSHELL_CI_LAB_PREFIX (default 127.0.7), MFSHELL_CI_LAB_ROOT (default /var/tmp/mfshell-ci-deb-lab)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${MFSHELL_CI_LAB_PREFIX:-127.0.7}
labroot=${MFSHELL_CI_LAB_ROOT:-/var/tmp/mfshell-ci-deb-lab}

say() { echo "ci-check-deb: $*"; }
fail() {
    echo "ci-check-deb: FAIL: $*" >&2
    exit 1
}

[[ $(id -u) == 0 ]] || fail "needs root (installs and purges the package)"
shopt -s nullglob
debs=(target/mfshell_*_all.deb)
((${#debs[@]} == 1)) || fail "expected exactly one target/mfshell_*_all.deb (run mvn package first), found ${#debs[@]}"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
say "checking $deb (version $version)"

# Tools the checks use, from Debian's packages.
missing=()
for p in lintian groff-base man-db bash-completion; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 1. contents --------------------------------------------------------------------------------
listing=$(dpkg-deb -c "$deb")
paths=$(awk '{print $6}' <<<"$listing")
for want in ./usr/bin/mfshell ./usr/share/mfshell/mfshell.jar ./usr/share/mfshell/mfshell-cds \
    ./usr/share/bash-completion/completions/mfshell ./usr/share/zsh/vendor-completions/_mfshell \
    ./usr/share/man/man1/mfshell.1.gz ./usr/share/doc/mfshell/copyright ./usr/share/doc/mfshell/changelog.gz \
    ./usr/share/doc/mfshell/monitoring/mfshell-icinga2.conf ./usr/share/doc/mfshell/monitoring/mfshell-nagios.cfg \
    ./usr/share/doc/mfshell/monitoring/mfshell-alerts.yml \
    ./usr/lib/systemd/system/mfshell-metrics.service ./usr/lib/systemd/system/mfshell-metrics.timer \
    ./etc/cron.d/mfshell-metrics; do
    grep -qxF -- "$want" <<<"$paths" || fail "$want missing from the package"
done
grep -q '^-rwxr-xr-x root/root .* \./usr/bin/mfshell$' <<<"$listing" || fail "/usr/bin/mfshell is not root:root 0755"
jars=$(grep -c '^\./usr/share/mfshell/lib/.*\.jar$' <<<"$paths" || true)
((jars >= 10)) || fail "only $jars jars in /usr/share/mfshell/lib (extracted layout expected)"
for want in ./usr/lib/systemd/system/mfshell-watch.service ./usr/share/doc/mfshell/examples/watch.conf; do
    grep -qxF -- "$want" <<<"$paths" || fail "$want missing from the package"
done
outside=$(grep -v -e '^\./$' -e '^\./usr/' -e '^\./etc/$' -e '^\./etc/cron\.d/$' -e '^\./etc/cron\.d/mfshell-metrics$' \
    <<<"$paths" || true)
[[ -z $outside ]] || fail "files outside /usr: $outside"
dpkg-deb -f "$deb" Depends | grep -q 'default-jre-headless (>= 2:1.17) | java17-runtime-headless' ||
    fail "Depends lacks the Java 17 runtime: $(dpkg-deb -f "$deb" Depends)"
say "contents ok ($(wc -l <<<"$paths") entries, $jars jars)"

# --- 2. lintian ---------------------------------------------------------------------------------
lintian_out=$(lintian --fail-on error "$deb" 2>&1 | grep -v 'running with root privileges' || true)
if grep -q '^E:' <<<"$lintian_out"; then
    echo "$lintian_out" >&2
    fail "lintian reports errors"
fi
say "lintian: no errors${lintian_out:+ (other tags: $(grep -c '^[A-Z]:' <<<"$lintian_out"))}"
[[ -n $lintian_out ]] && echo "$lintian_out"

# --- 3. install ---------------------------------------------------------------------------------
if dpkg-query -W -f='${Status}' mfshell 2>/dev/null | grep -q installed; then
    say "purging an mfshell already installed"
    dpkg --purge mfshell >/dev/null
fi
if ! dpkg -i "$deb"; then
    say "dpkg -i left dependencies open: apt-get -f install"
    DEBIAN_FRONTEND=noninteractive apt-get -f install -y -q
fi
dpkg-query -W -f='${Status}' mfshell | grep -qx 'install ok installed' || fail "mfshell is not installed"
installed_files=$(dpkg -L mfshell)
# mfshell-watch.service is shipped off: installed, not enabled.
grep -qx 'ExecStart=/usr/bin/mfshell watch' /usr/lib/systemd/system/mfshell-watch.service || fail "mfshell-watch.service: no ExecStart"
[[ ! -e /etc/systemd/system/multi-user.target.wants/mfshell-watch.service ]] || fail "mfshell-watch.service enabled by the install"

# --- 4. run through /usr/bin/mfshell ------------------------------------------------------------
out=$(/usr/bin/mfshell version 2>/tmp/ci-deb-err.$$) || fail "mfshell version failed: $(cat /tmp/ci-deb-err.$$)"
[[ $out == "mfshell $version" ]] || fail "mfshell version printed '$out', expected 'mfshell $version'"
[[ ! -s /tmp/ci-deb-err.$$ ]] || fail "mfshell version wrote to stderr: $(cat /tmp/ci-deb-err.$$)"
rm -f /tmp/ci-deb-err.$$

# The postinst built a CDS archive for the system's Java; the launcher must use it and the JVM
# must accept it (-Xshare:on makes the JVM refuse to start otherwise).
jsa=(/var/cache/mfshell/*.jsa)
((${#jsa[@]} >= 1)) || fail "postinst built no CDS archive in /var/cache/mfshell"
MFSHELL_JAVA_OPTS="-Xshare:on" /usr/bin/mfshell version >/dev/null 2>&1 || fail "the JVM does not accept ${jsa[0]}"
say "CDS archive ok: ${jsa[0]} ($(du -h "${jsa[0]}" | cut -f1))"

# The metrics timer and cron file: installed, valid, and off until the operator enables them.
if command -v systemd-analyze >/dev/null; then
    verify=$(systemd-analyze verify /usr/lib/systemd/system/mfshell-metrics.service \
        /usr/lib/systemd/system/mfshell-metrics.timer 2>&1 | grep -v "Command 'man mfshell(1)' failed" || true)
    [[ -z $verify ]] || fail "systemd-analyze verify: $verify"
fi
enabled=$(systemctl is-enabled mfshell-metrics.timer 2>/dev/null || true)
[[ $enabled == disabled ]] || fail "mfshell-metrics.timer is '$enabled' after install, expected disabled"
[[ ! -e /etc/systemd/system/timers.target.wants/mfshell-metrics.timer ]] || fail "mfshell-metrics.timer enabled by the package"
active=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' /etc/cron.d/mfshell-metrics || true)
[[ -z $active ]] || fail "/etc/cron.d/mfshell-metrics has active lines: $active"
say "metrics timer and cron file installed, off"

lab_up=0
cleanup() {
    if ((lab_up)); then
        java -jar target/mfshell.jar lab down --prefix "$prefix" --root "$labroot" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
if java -jar target/mfshell.jar help lab >/dev/null 2>&1; then
    say "bringing up a lab on $prefix.* under $labroot"
    # lab up is idempotent; retries ride out an instance slow to answer on a loaded machine.
    for attempt in 1 2 3; do
        java -jar target/mfshell.jar lab up --prefix "$prefix" --root "$labroot" >/dev/null && break
        ((attempt < 3)) || fail "lab up failed 3 times"
        sleep 5
    done
    lab_up=1
    config_root=$labroot/etc
else
    # No lab command in this build: a hand-made instance directory is enough for discovery.
    config_root=$(mktemp -d)/etc
    mkdir -p "$config_root/postfix-ci-a"
    printf 'queue_directory = %s\ninet_interfaces = loopback-only\n' "$config_root/../spool" >"$config_root/postfix-ci-a/main.cf"
    cp /etc/postfix/master.cf "$config_root/postfix-ci-a/" 2>/dev/null || : >"$config_root/postfix-ci-a/master.cf"
fi
expected=$(for d in "$config_root"/postfix-*/main.cf; do d=${d%/main.cf}; echo "${d##*/postfix-}"; done | sort)
[[ -n $expected ]] || fail "no instance under $config_root"
table=$(MFSHELL_CONFIG_ROOT=$config_root /usr/bin/mfshell instances) || fail "mfshell instances failed"
got=$(awk 'NR > 1 {print $1}' <<<"$table" | sort)
[[ $got == "$expected" ]] || fail "mfshell instances listed [$got], expected [$expected]"
names=$(MFSHELL_CONFIG_ROOT=$config_root /usr/bin/mfshell instances --json |
    python3 -c 'import json,sys; print("\n".join(sorted(i["name"] for i in json.load(sys.stdin))))') ||
    fail "mfshell instances --json failed or is not JSON"
[[ $names == "$expected" ]] || fail "instances --json names [$names], expected [$expected]"
say "mfshell instances ok: $(tr '\n' ' ' <<<"$expected")"

# Man page and completion as installed.
warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z /usr/share/man/man1/mfshell.1.gz 2>&1 >/dev/null)
[[ -z $warn ]] || fail "man page warnings: $warn"
comp=$(MFSHELL_CONFIG_ROOT=$config_root bash --norc -c 'source /usr/share/bash-completion/completions/mfshell
    COMP_WORDS=(mfshell mailq ""); COMP_CWORD=2; _mfshell; printf "%s\n" "${COMPREPLY[@]}" | sort')
[[ $comp == "$expected" ]] || fail "bash completion of 'mfshell mailq ' gave [$comp], expected [$expected]"
say "man page and bash completion ok"

# The interactive shell as installed (its Spring context comes from the build's AOT output), on a
# pseudo-terminal of 160 columns (script(1) gives it none, and JLine then cuts the prompt): the
# prompt, a command, quit, and the history in $HOME/.config/mfshell.
shellhome=$(mktemp -d)
screen=$(printf 'instances\nquit\n' | HOME=$shellhome MFSHELL_CONFIG_ROOT=$config_root TERM=xterm \
    timeout 120 script -qec 'stty cols 160 rows 40; exec /usr/bin/mfshell' /dev/null 2>&1) ||
    fail "the interactive shell failed: $screen"
grep -q 'mfshell@' <<<"$screen" || fail "no mfshell@ prompt in: $screen"
for n in $expected; do
    grep -q "^$n " <<<"$(tr -d '\r' <<<"$screen")" || fail "instances in the shell did not list $n: $screen"
done
grep -qx 'instances' <<<"$(cut -d: -f2- "$shellhome/.config/mfshell/history" 2>/dev/null)" ||
    fail "no history in $shellhome/.config/mfshell/history"
rm -rf -- "$shellhome"
say "interactive shell ok"

# --- 5. purge -----------------------------------------------------------------------------------
cleanup
lab_up=0
dpkg --purge mfshell >/dev/null || fail "dpkg --purge failed"
! dpkg-query -W -f='${Status}' mfshell 2>/dev/null | grep -q installed || fail "mfshell still installed after purge"
left=()
while IFS= read -r f; do
    # Shared directories (/usr, /usr/share/man, ...) stay; everything the package owned alone goes.
    if [[ -e $f && ! -d $f ]] || [[ -d $f && $f == /usr/share/mfshell* ]] || [[ -d $f && $f == /usr/share/doc/mfshell ]]; then
        left+=("$f")
    fi
done <<<"$installed_files"
for d in /usr/share/mfshell /var/cache/mfshell /var/lib/mfshell /var/log/mfshell /usr/share/doc/mfshell; do
    [[ -e $d ]] && left+=("$d")
done
((${#left[@]} == 0)) || fail "left behind after purge: ${left[*]}"
say "purge ok: nothing left behind"
say "all checks passed"
