#!/usr/bin/env bash
# The knee's overload with two faults mid-run (issue 17, item 3), one run per admission mode given:
# a competing pgbench against the same PostgreSQL, then PostgreSQL stopped and started again. Samples
# the limit, the queue, the shed count and the circuit each second to .data/bench/knee/faults-MODE.csv
# and prints how far the limit fell and how fast it came back, how long shedding outlasted the
# outage, the circuit's transitions and submit p99.
#
#   Admin__InitialPassword=... bench/host.sh             # in another terminal: the host under test
#   ADMIN_PASSWORD=... bench/knee-faults.sh 64 adaptive  # default: 64 adaptive
#
# Timeline (seconds from the run's start): baseline until T1; pgbench for PGBENCH_SECONDS; settle
# until T2; PostgreSQL stopped (pg_ctl -m fast) for DOWN_SECONDS, then started; db-back to the end.
# Settings (environment): URL (http://127.0.0.1:5080), DB (examday's connection string; pgbench
# takes its host and port), PGDATA (the host's cluster, .data/pg), RATE (150 teachers/s),
# SECONDS_PER_RUN (180), T1 (40), PGBENCH_SECONDS (60), T2 (120), DOWN_SECONDS (18),
# PGBENCH_CLIENTS (16), PGBENCH_JOBS (2), PGBENCH_SCALE (10, at initialisation only), FIRST_TEACHER
# (1), EXAM_SLOT (1, the next one for each run), QUEUE (4096), HOST_LOG (the host's output, to quote
# its circuit log lines; start the host with Logging__Console__TimestampFormat='HH:mm:ss.fff ' and
# Logging__Console__UseUtcTimestamp=true to have them timed), GENERATOR_CPUS (e.g. 0: examday and
# pgbench run on those cores only, through taskset) with HOST_CPUS (e.g. 1: the cores of a host started
# as taskset -c 1 bench/host.sh; PostgreSQL, started again here, gets them too).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ADMIN_PASSWORD:?Set ADMIN_PASSWORD: the password of an operator, to change the throttle.}"
url="${URL:-http://127.0.0.1:5080}"
db="${DB:-Host=127.0.0.1;Port=15432;Username=postgres;Database=exam}"
pgdata="$(realpath "${PGDATA:-.data/pg}")"
rate="${RATE:-150}" seconds="${SECONDS_PER_RUN:-180}" first="${FIRST_TEACHER:-1}" slot="${EXAM_SLOT:-1}" queue="${QUEUE:-4096}"
t1="${T1:-40}" pg_seconds="${PGBENCH_SECONDS:-60}" t2="${T2:-120}" down="${DOWN_SECONDS:-18}"
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(64 adaptive)
for mode in "${modes[@]}"; do
  [[ "$mode" =~ ^([1-9][0-9]*|adaptive)$ ]] || { echo "knee-faults: '$mode' is neither a limit nor adaptive" >&2; exit 2; }
done
((t1 >= 10 && t1 + pg_seconds < t2 && t2 + down < seconds)) ||
  { echo "knee-faults: need 10 <= T1, T1 + PGBENCH_SECONDS < T2 and T2 + DOWN_SECONDS < SECONDS_PER_RUN" >&2; exit 2; }
bin=/usr/lib/postgresql/15/bin
port=$(sed -nE 's/.*Port=([0-9]+).*/\1/p' <<<"$db")
# Stop only the cluster the host uses: the one in PGDATA, listening on DB's port.
grep -qE "^port = ${port:-none}$" "$pgdata/postgresql.auto.conf" 2>/dev/null ||
  { echo "knee-faults: $pgdata is not the cluster on port ${port:-?} (DB=$db); set PGDATA" >&2; exit 2; }
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgb=("$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres)
generator=(dotnet bench/ExamDay/bin/Release/net10.0/examday.dll)
pg_ctl=("$bin/pg_ctl")
# The load generators on their own cores, PostgreSQL (when started again) on the host's.
[ -n "${GENERATOR_CPUS:-}" ] && pgb=(taskset -c "$GENERATOR_CPUS" "${pgb[@]}") generator=(taskset -c "$GENERATOR_CPUS" "${generator[@]}")
[ -n "${HOST_CPUS:-}" ] && pg_ctl=(taskset -c "$HOST_CPUS" "${pg_ctl[@]}")
out=.data/bench/knee
mkdir -p "$out"

scripts/ensure-deps.sh postgresql jq
dotnet build -c Release bench/ExamDay --nologo -v quiet >/dev/null
source bench/admin.sh
admin_login
before=$(admin_get throttle | jq -r .maxConcurrent)
if [ -z "$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'pgbench_competing'")" ]; then
  echo "Initialising pgbench_competing (scale ${PGBENCH_SCALE:-10}) ..."
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres pgbench_competing
  "${pgb[@]}" -i -q -s "${PGBENCH_SCALE:-10}" pgbench_competing >/dev/null 2>&1
fi

jobs_to_stop=() db_stopped=""
cleanup() {
  set +e
  for pid in "${jobs_to_stop[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "$db_stopped" ]; then
    echo "knee-faults: starting PostgreSQL again before leaving" >&2
    as_owner "${pg_ctl[@]}" -D "$pgdata" -l "$pgdata/server.log" -w -t 120 start >/dev/null
  fi
  throttle "$before" "$queue"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
at() { local t=$(($(ms) - start)); printf '%d.%d' $((t / 1000)) $((t % 1000 / 100)); }
sleep_until() { local left=$((start + $1 * 1000 - $(ms))); ((left <= 0)) || { sleep "$((left / 1000)).$(printf %03d $((left % 1000)))" & wait $!; }; }
phase() { echo "$1" >"$phase_file"; }
event() { echo "$(date -u +%H:%M:%S),$(at),$1" | tee -a "$events"; }
sampler() {
  echo "utc,t,limit,in_flight,queued,rejected_total,circuit,phase" >"$csv"
  while :; do
    echo "$(date -u +%H:%M:%S),$(at),$(admin_sample),$(cat "$phase_file")" >>"$csv"
    # The next whole second: a sample the busy host answered late is not followed by a burst of catch-up ones.
    sleep_until $((($(ms) - start) / 1000 + 1))
  done
}

for mode in "${modes[@]}"; do
  csv="$out/faults-$mode.csv" events="$out/faults-$mode.events" log="$out/faults-$mode.examday.log"
  phase_file="$out/faults-$mode.phase" pgbench_log="$out/faults-$mode.pgbench.log"
  : >"$events"
  host_log_from=$([ -n "${HOST_LOG:-}" ] && wc -c <"$HOST_LOG" || echo 0)
  throttle "$mode" "$queue"
  phase baseline
  echo "== $mode: $((rate * seconds)) teachers from T$(printf %07d "$first"), exam slot $slot, at $rate/s for $seconds s ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1 /proc/loadavg))"
  echo "utc,t,event"
  start=$(ms)
  # examday's own bound is --max-duration plus --settle; timeout is the backstop.
  timeout -s TERM $((seconds + 150)) "${generator[@]}" --url "$url" --db "$db" \
    --teachers $((rate * seconds)) --first-teacher "$first" --exam-slot "$slot" --rate "$rate" --ramp 5 \
    --rounds 3 --think 500 --max-duration $((seconds + 60)) --settle 60 --progress 1 --report "$out/faults-$mode.json" >"$log" 2>&1 &
  examday=$!
  sampler &
  jobs_to_stop=("$examday" "$!")
  event "examday started"

  sleep_until "$t1"
  phase pgbench
  timeout -s TERM $((pg_seconds + 30)) "${pgb[@]}" -c "${PGBENCH_CLIENTS:-16}" -j "${PGBENCH_JOBS:-2}" -T "$pg_seconds" pgbench_competing >"$pgbench_log" 2>&1 &
  jobs_to_stop+=("$!")
  event "pgbench started (-c ${PGBENCH_CLIENTS:-16} -j ${PGBENCH_JOBS:-2} -T $pg_seconds)"
  wait "${jobs_to_stop[2]}" || true
  phase settle
  event "pgbench ended: $(grep -m1 -oE 'tps = [0-9.]+' "$pgbench_log" || echo 'no tps line, see '"$pgbench_log")"

  sleep_until "$t2"
  phase db-down
  event "PostgreSQL stop requested"
  db_stopped=yes
  as_owner "$bin/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop >/dev/null
  event "PostgreSQL stopped"
  sleep "$down"
  as_owner "${pg_ctl[@]}" -D "$pgdata" -l "$pgdata/server.log" -w -t 120 start >/dev/null
  db_stopped=""
  phase db-back
  event "PostgreSQL accepting connections"

  wait "$examday" || echo "examday exited with $? (see $log)"
  event "examday ended"
  kill "${jobs_to_stop[1]}" 2>/dev/null || true
  jobs_to_stop=()
  grep -v '^\[' "$log" | sed -n '/^ExamDay against/,$p'
  [ -n "${HOST_LOG:-}" ] && { echo "circuit lines in $HOST_LOG:"; tail -c +$((host_log_from + 1)) "$HOST_LOG" | grep -o "Database circuit is now.*" || true; }
  python3 bench/knee-faults-summary.py "$mode" "$start" "$csv" "$events" "$log" "$out/faults-$mode.json"
  slot=$((slot + 1))
done
echo "Throttle back at $before. Traces and reports: $out/faults-*"
