#!/usr/bin/env python3
"""Times shell commands round-robin in one run (A B C A B C ...), so a load that changes over the
run hits each alike; prints each command's median, min and the ratio of its median to the first's.
    bench/alternate-sh.py RUNS [--prepare CMD] NAME=CMD [NAME=CMD ...]
One warm-up round first; --prepare runs before every timed command (untimed)."""
import statistics, subprocess, sys, time


def main():
    args = sys.argv[1:]
    runs = int(args.pop(0))
    prepare = None
    if args and args[0] == "--prepare":
        args.pop(0)
        prepare = args.pop(0)
    cmds = [a.split("=", 1) for a in args]
    times = {name: [] for name, _ in cmds}
    for i in range(runs + 1):
        for name, cmd in cmds:
            if prepare:
                subprocess.run(prepare, shell=True, check=False)
            t0 = time.monotonic()
            r = subprocess.run(cmd, shell=True)
            dt = time.monotonic() - t0
            if r.returncode != 0:
                sys.exit("%s: exit %d" % (name, r.returncode))
            if i > 0:
                times[name].append(dt)
    base = statistics.median(times[cmds[0][0]])
    for name, _ in cmds:
        m = statistics.median(times[name])
        print("  %-48s median %.3f s  min %.3f s  x%.2f" % (name, m, min(times[name]), m / base))


main()
