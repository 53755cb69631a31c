#!/usr/bin/env bash
# Installs, from Debian's packages, what mfshell's lab and test suite need on a fresh machine:
# Postfix without any default instance ("No configuration"), tmux (the interactive shell test),
# zsh and bash-completion (completion tests), systemd-journal-remote (journal fixtures),
# lintian and groff (package checks), util-linux's setpriv, bind9-utils (named-compilezone checks
# warmup's and ips off/on's zone lines), rsyslog and bubblewrap (the handmade lab: its own rsyslogd writes the mail log,
# and postmulti and the instances run in private mount namespaces; installing rsyslog starts no
# daemon here, and the lab never uses the system's), nsd (the authoritative DNS server the ips/relays
# tests start on 127.0.72.1; its Debian service is not started here), openssh-server and openssh-client
# (the --on tests start their own sshd processes on 127.0.113.x), icinga2-bin (the check test validates
# the shipped CheckCommand with icinga2 daemon -C), prometheus (promtool and a real Prometheus for the
# metrics test, on loopback); none of their services is started here. Idempotent; needs root.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: run as root (it installs Debian packages)" >&2
    exit 1
fi
want=(postfix tmux less zsh bash-completion systemd-journal-remote lintian groff-base man-db util-linux time bind9-utils rsyslog bubblewrap nsd openssh-server openssh-client icinga2-bin prometheus)
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "setup-debian.sh: installing ${missing[*]}" >&2
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
