#!/usr/bin/env python3
"""Prompt-driven timing of one line in the fleet shell: starts COMMAND (mfshell --on HOSTS) on a
pseudo-terminal, waits for its prompt, sends LINE once as a warm-up (the session's ssh masters,
its per-host checks), then RUNS times measures from Enter to the next prompt. The reader blocks on
the terminal, taking no CPU from what it measures. Prints one line per run (ms), then the median.
    bench/fleet-shell-timing.py RUNS LINE COMMAND [ARGS...]"""
import fcntl, os, pty, select, statistics, struct, sys, termios, time


def read_until(fd, marker, timeout):
    buf = b""
    end = time.monotonic() + timeout
    while marker not in buf:
        left = end - time.monotonic()
        if left <= 0:
            raise SystemExit("timed out waiting for %r; got: %r" % (marker, buf[-400:]))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise SystemExit("the shell ended; got: %r" % buf[-400:])
            buf += chunk
    return buf


def main():
    runs, line, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("TERM", "xterm-256color")
        os.environ["MFSHELL_PAGER"] = "off"
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
    prompt = b"mfshell@"
    read_until(fd, prompt, 120)
    times = []
    for i in range(runs + 1):
        t0 = time.monotonic()
        os.write(fd, line.encode() + b"\r")
        # the echoed line first, then the command's output, then the next prompt
        read_until(fd, b"\n", 60)
        read_until(fd, prompt, 120)
        if i > 0:
            ms = (time.monotonic() - t0) * 1000
            times.append(ms)
            print("%.0f" % ms, flush=True)
    os.write(fd, b"quit\r")
    os.waitpid(pid, 0)
    print("median %.0f ms" % statistics.median(times))


main()
