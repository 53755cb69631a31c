#!/usr/bin/env python3
"""Turns real-postfix.log into journal export format on stdout, for
/lib/systemd/systemd-journal-remote -o real-postfix.journal - (see README in this directory).
Timestamps: classic stamps read as UTC in year 2026, entries sorted by time. Adds a CRON entry that mentions status=sent
and one Postfix entry whose MESSAGE is binary (not UTF-8), as journald stores such text."""
import re, struct, sys, datetime
months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
out = sys.stdout.buffer
boot = "0123456789abcdef0123456789abcdef"
def entry(ts, ident, pid, msg, host="lab"):
    out.write(b"__REALTIME_TIMESTAMP=%d\n" % ts)
    out.write(b"__MONOTONIC_TIMESTAMP=%d\n" % (ts % 10**9))
    out.write(b"_BOOT_ID=%s\n" % boot.encode())
    out.write(b"_HOSTNAME=%s\n" % host.encode())
    out.write(b"SYSLOG_FACILITY=2\nPRIORITY=6\n")
    out.write(b"SYSLOG_IDENTIFIER=%s\n" % ident.encode())
    out.write(b"SYSLOG_PID=%s\n_PID=%s\n" % (pid.encode(), pid.encode()))
    if isinstance(msg, bytes):
        out.write(b"MESSAGE\n" + struct.pack("<Q", len(msg)) + msg + b"\n")
    else:
        out.write(b"MESSAGE=%s\n" % msg.encode())
    out.write(b"\n")
entries = []
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) ([^\[:]+)\[(\d+)\]: (.*)", line.rstrip("\n"))
    if not m:
        continue
    mon, day, hh, mm, ss, host, ident, pid, msg = m.groups()
    t = datetime.datetime(2026, months.index(mon) + 1, int(day), int(hh), int(mm), int(ss), tzinfo=datetime.timezone.utc)
    entries.append((int(t.timestamp()) * 10**6, ident, pid, msg, host))
# A journal is in time order (journalctl --since seeks by time): the two instance logs are merged.
entries.sort(key=lambda e: e[0])
for e in entries:
    entry(*e)
last = entries[-1][0]
entry(last + 1, "CRON", "999", "(root) CMD (echo to=<x@y> status=sent)")
entry(last + 2, "postfix-msn-b/smtp", "4242",
      b"ABCDEF999: to=<caf\xe9@aol.com>, relay=127.0.4.20[127.0.4.20]:25, dsn=2.0.0, status=sent (250 ok \xff)")
