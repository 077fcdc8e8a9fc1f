#!/usr/bin/env python3
"""Samples, once a second, the CPU a benchmark's processes use on this machine, in CPU seconds per
second: the host (ExamConsole.Console.dll), every PostgreSQL process, the load generator
(examday.dll) and pgbench. Prints CSV until stopped (Ctrl+C, SIGTERM) or after --seconds (600).

    bench/cpu-sample.py > .data/bench/cpu.csv &   ...run the benchmark...   kill %1

A process that exits between two samples loses its last second; the pool's backends and pgbench's
live through a phase, so the sums hold for phases of a few seconds and more."""
import argparse
import os
import signal
import sys
import time

GROUPS = ("host", "postgres", "load_generator", "pgbench")
TICKS = os.sysconf("SC_CLK_TCK")


def group_of(cmdline: bytes) -> str | None:
    args = cmdline.split(b"\0")
    first = os.path.basename(args[0])
    if first in (b"postgres", b"postmaster") or first.startswith(b"postgres:"):
        return "postgres"
    if first == b"pgbench":
        return "pgbench"
    joined = b" ".join(args)
    if b"ExamConsole.Console.dll" in joined:
        return "host"
    if b"examday.dll" in joined:
        return "load_generator"
    return None


def read() -> dict[int, tuple[str, int]]:
    """Each process of a group: (group, user + system ticks so far)."""
    seen = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                group = group_of(f.read())
            if group is None:
                continue
            with open(f"/proc/{name}/stat", "rb") as f:
                # Fields after the command name, which may hold spaces: utime and stime are 14 and 15.
                fields = f.read().rsplit(b")", 1)[1].split()
            seen[int(name)] = (group, int(fields[11]) + int(fields[12]))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    seconds = parser.parse_args().seconds
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("utc," + ",".join(GROUPS), flush=True)
    before, at = read(), time.monotonic()
    for _ in range(seconds):
        time.sleep(1)
        now, then = read(), time.monotonic()
        used = dict.fromkeys(GROUPS, 0)
        for pid, (group, ticks) in now.items():
            used[group] += ticks - before.get(pid, (group, 0))[1] if pid in before else ticks
        elapsed = then - at
        print(time.strftime("%H:%M:%S", time.gmtime()) + "," + ",".join(f"{used[g] / TICKS / elapsed:.2f}" for g in GROUPS), flush=True)
        before, at = now, then


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
