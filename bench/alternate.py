#!/usr/bin/env python3
"""Runs commands in turn, round after round (A B C, A B C, ...), so a change in the machine's
load hits all of them alike; prints each one's median wall time, median CPU time (user + system
of the process and its children, from wait4) and the ratio of the medians to the first command
(the baseline). Not a test: a measuring tool for the bench/ scripts.

  bench/alternate.py [--runs N] [--warmup W] [--json FILE] NAME 'COMMAND' [NAME 'COMMAND' ...]

COMMAND is split like a shell word list (shlex) and run without a shell; write `bash -c '...'`
for a pipeline. stdout goes to /dev/null, stderr is kept; a command that fails stops the run.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"alternate.py: exit {p.returncode}: {shlex.join(argv)}")
    return wall, ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("pairs", nargs="+")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("NAME COMMAND pairs expected")
    cmds = [(a.pairs[i], shlex.split(a.pairs[i + 1])) for i in range(0, len(a.pairs), 2)]
    for _ in range(a.warmup):
        for _, argv in cmds:
            run_once(argv)
    wall = {n: [] for n, _ in cmds}
    cpu = {n: [] for n, _ in cmds}
    for _ in range(a.runs):
        for n, argv in cmds:
            w, c = run_once(argv)
            wall[n].append(w)
            cpu[n].append(c)
    base = cmds[0][0]
    bw = statistics.median(wall[base])
    bc = statistics.median(cpu[base])
    out = []
    for n, argv in cmds:
        mw = statistics.median(wall[n])
        mc = statistics.median(cpu[n])
        print(f"  {n:<28} wall median {mw:7.3f} s (min {min(wall[n]):.3f})  cpu median {mc:6.3f} s"
              f"  ratio {mw / bw:5.2f}x wall, {mc / bc:5.2f}x cpu")
        out.append({"name": n, "command": shlex.join(argv), "wall": wall[n], "cpu": cpu[n],
                    "wall_median": mw, "cpu_median": mc, "ratio_wall": mw / bw})
    print(f"  ({a.runs} rounds after {a.warmup} warm-up, alternating; load {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, {os.cpu_count()} cores)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
