#!/usr/bin/env python3
"""Time to an interactive prompt: starts COMMAND on a pseudo-terminal (as an operator's ssh session
gives it) and measures from fork to the first "mfshell@" the program writes. The reader blocks on
the terminal instead of polling, so the measurement takes no CPU from the program it measures.
Then it answers "quit" and reaps the process.
    bench/prompt-ready.py RUNS WARMUPS COMMAND [ARGS...]   prints one line per run (ms), then the median
Alternating several commands is done by the caller (bench/startup.sh)."""
import fcntl, os, pty, select, signal, statistics, struct, sys, termios, time


def once(argv, timeout=60.0):
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("TERM", "xterm-256color")
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))  # 160x40, as a terminal window
    buf = b""
    ready = None
    cpu = None
    try:
        while ready is None:
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                break
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                break
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if b"mfshell@" in buf:
                ready = time.monotonic() - t0
                cpu = cpu_ms(pid)
        if ready is not None:
            os.write(fd, b"quit\r")
            end = time.monotonic() + 10
            while time.monotonic() < end:
                r, _, _ = select.select([fd], [], [], 0.2)
                if r:
                    try:
                        if not os.read(fd, 65536):
                            break
                    except OSError:
                        break
                if os.waitpid(pid, os.WNOHANG)[0]:
                    pid = 0
                    break
    finally:
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        os.close(fd)
    if ready is None:
        sys.exit("no prompt from: " + " ".join(argv) + "\n" + buf.decode(errors="replace")[-500:])
    return (ready * 1000, cpu) if WITH_CPU else ready * 1000


TICK = os.sysconf("SC_CLK_TCK")
# PROMPT_READY_CPU=1: each line is "WALL_MS CPU_MS", the CPU the program used up to its prompt (user +
# system of all its threads and reaped children, /proc/PID/stat, 10 ms ticks): on a loaded machine
# the wall time mostly measures the other processes, the CPU time much less so.
WITH_CPU = os.environ.get("PROMPT_READY_CPU") == "1"


def cpu_ms(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) * 1000 / TICK
    except OSError:
        return float("nan")


def main():
    runs, warm, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    for _ in range(warm):
        once(argv)
    results = [once(argv) for _ in range(runs)]
    if WITH_CPU:
        for w, c in results:
            print(f"{w:.0f} {c:.0f}")
        print(f"median {statistics.median(w for w, _ in results):.0f} {statistics.median(c for _, c in results):.0f}")
    else:
        for t in results:
            print(f"{t:.0f}")
        print(f"median {statistics.median(results):.0f}")


if __name__ == "__main__":
    main()
