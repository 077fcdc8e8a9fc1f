"""The summary of one bench/knee-faults.sh run, from its per-second trace, its events, examday's
progress lines and examday's report. Usage: knee-faults-summary.py MODE START_MS CSV EVENTS LOG REPORT"""
import csv
import json
import re
import statistics
import sys
from datetime import datetime

mode, start_ms, trace, events_path, log_path, report_path = sys.argv[1:7]
num = lambda v: int(v) if v not in ("", None) else None
rows = [dict(r, t=float(r["t"]), limit=num(r["limit"]), rejected=num(r["rejected_total"])) for r in csv.DictReader(open(trace))]
events = {}
for line in open(events_path):
    _, t, what = line.rstrip("\n").split(",", 2)
    events.setdefault(what.split(":")[0].split(" (")[0], float(t))
pg_start, pg_end = events.get("pgbench started"), events.get("pgbench ended")
db_stop, db_back = events.get("PostgreSQL stop requested"), events.get("PostgreSQL accepting connections")
end = rows[-1]["t"] if rows else 0


def limits(a, b):
    return [(r["t"], r["limit"]) for r in rows if a <= r["t"] <= b and r["limit"] is not None]


def fall_and_recovery(name, fault_start, fault_end, until):
    """The limit in the 10 s before the fault, its lowest from the fault's start to `until`, and when it came back within 10 %."""
    before = [l for _, l in limits(fault_start - 10, fault_start - 0.01)]
    low = min(limits(fault_start, until), key=lambda x: x[1], default=None)
    if not before or low is None:
        print(f"  {name}: not enough samples")
        return
    ref = statistics.median(before)
    back = next((t for t, l in limits(max(fault_end, low[0]), end) if l >= 0.9 * ref), None)
    recovered = f"{back - fault_end:.0f} s after it ended" if back is not None else f"not within {end - fault_end:.0f} s"
    print(f"  {name}: limit {ref:g} before, lowest {low[1]} at +{low[0] - fault_start:.0f} s from its start;"
          f" back within 10 % {recovered}")


print(f"== {mode}: summary")
if pg_start is not None and pg_end is not None:
    fall_and_recovery("pgbench", pg_start, pg_end, pg_end)
if db_stop is not None and db_back is not None:
    fall_and_recovery("PostgreSQL stopped", db_stop, db_back, end)
    # Shedding under the overload itself goes on all run long: shedding "lasts" while its rate is above the pre-stop rate.
    shed = [(r["t"], r["rejected"]) for r in rows if r["rejected"] is not None]
    pre = [x for x in shed if db_stop - 10 <= x[0] < db_stop]
    pre_rate = (pre[-1][1] - pre[0][1]) / max(pre[-1][0] - pre[0][0], 1) if len(pre) > 1 else 0
    after = [x for x in shed if x[0] >= db_back]
    over = None
    for i, (t, n) in enumerate(after):
        window = [x for x in after[i:] if x[0] <= t + 5]
        if window[-1][0] - t >= 4 and (window[-1][1] - n) / (window[-1][0] - t) <= max(1.1 * pre_rate, 1):
            over = t
            break
    total = after[-1][1] - after[0][1] if after else 0
    lasted = (f"back to the pre-stop {pre_rate:.0f}/s after {over - db_back:.0f} s" if over is not None
              else f"still above the pre-stop {pre_rate:.0f}/s at the end, {end - db_back:.0f} s after")
    print(f"  shedding after PostgreSQL was back: {total} requests shed; the shed rate was {lasted}")
print("  circuit transitions (1 s samples):")
state = None
for r in rows:
    if r["circuit"] and r["circuit"] != state:
        print(f"    {r['utc']} +{r['t']:.1f} s {state or '(start)'} -> {r['circuit']} ({r['phase']})")
        state = r["circuit"]
try:
    report = json.load(open(report_path))
    submit = next(e for e in report["endpoints"] if e["name"] == "submit")
    print(f"  submit p99, whole run: {submit['p99Ms']:.0f} ms ({submit['count']} submits)")
    # examday's progress lines carry each second's p99 per endpoint: a window's p99 is not recoverable
    # from them, so this gives the worst and the median second of each window.
    offset = datetime.fromisoformat(report["startedAt"]).timestamp() - int(start_ms) / 1000
    seconds = []
    for line in open(log_path):
        m = re.match(r"\[\s*([0-9.]+)s\].*\bsubmit ([0-9.]+)", line)
        if m:
            seconds.append((float(m.group(1)) + offset, float(m.group(2))))
    for name, a, b in (("pgbench", pg_start, pg_end), ("PostgreSQL down and 30 s after", db_stop, (db_back or 0) + 30)):
        window = [p for t, p in seconds if a is not None and b is not None and a <= t <= b]
        if window:
            print(f"  submit p99 per second during {name}: worst {max(window):.0f} ms, median {statistics.median(window):.0f} ms")
except (OSError, ValueError, KeyError, StopIteration) as e:
    print(f"  submit p99: no report ({e})")
