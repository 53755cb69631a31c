#!/bin/bash
# How real-postfix.log and real-postfix.journal were made (run as root, Debian 12, Postfix 3.7).
# Two sending instances (postfix-msn-a on 127.0.4.2, postfix-msn-b on 127.0.4.3) relay to a
# "provider" instance on 127.0.4.20 that accepts most recipients, answers 550 to bounce-*
# and 450 to defer-*; its maillog_file lines of the senders are the fixture. Loopback only.
# usage: make-fixture.sh OUTDIR   (uses /var/tmp/mfshell-lab-h4, removed afterwards)
set -euo pipefail
OUT=$(realpath "${1:?OUTDIR}")
ROOT=/var/tmp/mfshell-lab-h4
P=127.0.4
stop_all() { for d in "$ROOT"/etc/postfix-*; do [ -d "$d" ] && postfix -c "$d" stop 2>/dev/null || true; done; }
stop_all; rm -rf "$ROOT"; mkdir -p "$ROOT/etc" "$ROOT/log"

mk() { # NAME ADDR extra-main.cf-lines...
    local name=$1 addr=$2; shift 2
    local d=$ROOT/etc/postfix-$name q=$ROOT/spool/postfix-$name
    mkdir -p "$d" "$q" "$ROOT/data/postfix-$name"
    chown postfix "$ROOT/data/postfix-$name"
    cp /usr/share/postfix/master.cf.dist "$d/master.cf"
    cat > "$d/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $q
data_directory = $ROOT/data/postfix-$name
syslog_name = postfix-$name
myhostname = lab-$name.example.net
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_dns_support_level = disabled
maillog_file = $ROOT/log/postfix-$name.log
maillog_file_prefixes = $ROOT
queue_run_delay = 60s
minimal_backoff_time = 60s
maximal_backoff_time = 120s
delay_warning_time = 0h
alias_maps =
alias_database =
EOC
    printf '%s\n' "$@" >> "$d/main.cf"
    postconf -c "$d" -F '*/*/chroot = n'
    postconf -c "$d" -MX smtp/inet
    postconf -c "$d" -M "$addr:25/inet=$addr:25 inet n - n - - smtpd"
    postconf -c "$d" -P "smtp/unix/smtp_bind_address=$addr"
    postconf -c "$d" -M postlog/unix-dgram="postlog unix-dgram n - n - 1 postlogd"
    touch -d '10 seconds ago' "$d/main.cf" "$d/master.cf"
    postfix -c "$d" check
    postfix -c "$d" start
}

mkdir -p "$ROOT/etc/postfix-provider"
printf '/^bounce-/ 550 5.1.1 no such user\n/^defer-/ 450 4.7.0 try again later, status=sent is not what you think\n' \
    > "$ROOT/etc/postfix-provider/access"
printf '/./ discard:\n' > "$ROOT/etc/postfix-provider/transport"
mk provider $P.20 "relay_domains = hotmail.com outlook.com aol.com earthlink.net example.org" \
    "transport_maps = regexp:$ROOT/etc/postfix-provider/transport" \
    "smtpd_recipient_restrictions = check_recipient_access regexp:$ROOT/etc/postfix-provider/access, permit_mynetworks, reject"
mk msn-a $P.2 "relayhost = [$P.20]:25"
mk msn-b $P.3 "relayhost = [$P.20]:25"

send() { # INSTANCE RCPT
    printf 'Subject: test\n\nhello\n' | sendmail -C "$ROOT/etc/postfix-$1" -f sender@lab.example.net "$2"
}
for i in 1 2 3 4 5; do send msn-a "user$i@hotmail.com"; done
send msn-a bounce-1@outlook.com; send msn-a defer-1@hotmail.com
for i in 1 2 3; do send msn-b "user$i@aol.com"; done
send msn-b "rcpt1@example.org"; send msn-b bounce-2@aol.com; send msn-b defer-2@earthlink.net
send msn-b defer-3@earthlink.net
sleep 8
postfix -c "$ROOT/etc/postfix-msn-a" flush; postfix -c "$ROOT/etc/postfix-msn-b" flush
sleep 4
cat "$ROOT/log/postfix-msn-a.log" "$ROOT/log/postfix-msn-b.log" > "$OUT/real-postfix.log"
stop_all
rm -rf "$ROOT"
