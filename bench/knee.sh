#!/usr/bin/env bash
# The throughput knee: the same open-model overload (more teachers arriving than the machine can
# serve) at a rising admission limit (Admission:MaxConcurrent, set at run time through
# PUT /api/admin/throttle), one examday run per limit. Prints successful requests per second and
# p99 per endpoint for each limit; the JSON reports stay in .data/bench/knee/.
#
#   Admin__InitialPassword=... bench/host.sh        # in another terminal: the host under test
#   ADMIN_PASSWORD=... bench/knee.sh [limits...]    # default: 8 16 32 64 128 256 1024
#   ADMIN_PASSWORD=... bench/knee.sh 32 64 adaptive # "adaptive": the gate's adaptive mode (issue 17),
#                                                   # from the limit in force; "adaptive@16": from 16
#
# Every run's limit in force, in flight, queued, shed and the circuit's state are sampled once a second
# to .data/bench/knee/limit-LIMIT-slotN-trace.csv, whatever the mode: the sampler costs a fixed run
# what it costs an adaptive one (on the load generator's cores when GENERATOR_CPUS names them).
#
# Settings (environment): URL (http://127.0.0.1:5080), DB (the local cluster), RATE (150 teachers/s),
# SECONDS_PER_RUN (30), FIRST_TEACHER (1), EXAM_SLOT (1: the first run's; each run sits the next
# of every teacher's exams, so no run finds another's attempts), QUEUE (queue limit, 4096), WARM_UP (1:
# an unrecorded 10 s run at a third of the rate first, on the teachers after the sweep's; 0: none),
# TAG (a sweep's name: its reports and traces go to .data/bench/knee/TAG/, so that the next sweep on
# the same slots does not overwrite them), GENERATOR_CPUS (e.g. 0: the load generator runs on those
# cores only, through taskset; start the host on the others, e.g. taskset -c 1 bench/host.sh, so
# that the generator does not take the CPU of the node it measures). Each run's report: .data/bench/knee/[TAG/]limit-LIMIT-slotN.json;
# a limit may be given more than once (interleaved sweeps: 64 adaptive 96 adaptive 64 96 ...).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ADMIN_PASSWORD:?Set ADMIN_PASSWORD: the password of an operator, to change the throttle.}"
url="${URL:-http://127.0.0.1:5080}"
db="${DB:-Host=127.0.0.1;Port=15432;Username=postgres;Database=exam}"
rate="${RATE:-150}"
seconds="${SECONDS_PER_RUN:-30}"
first="${FIRST_TEACHER:-1}"
slot="${EXAM_SLOT:-1}"
queue="${QUEUE:-4096}"
limits=("$@")
[ ${#limits[@]} -eq 0 ] && limits=(8 16 32 64 128 256 1024)
for limit in "${limits[@]}"; do
  [[ "$limit" =~ ^([1-9][0-9]*|adaptive(@[1-9][0-9]*)?)$ ]] ||
    { echo "knee: '$limit' is neither a limit, adaptive nor adaptive@N" >&2; exit 2; }
done
teachers=$((rate * seconds))
out=.data/bench/knee${TAG:+/$TAG}
mkdir -p "$out"

scripts/ensure-deps.sh jq
dotnet build -c Release bench/ExamDay --nologo -v quiet >/dev/null
source bench/admin.sh
admin_login
# The limit in force and the circuit's state, once a second, while a run lasts: one row per sample,
# its fields empty when the host did not answer. Every run is sampled alike: when only adaptive
# runs were, on the host's core, the fixed runs did not pay for two admin requests and a jq a second.
trace_limit() {
  echo "utc,limit,in_flight,queued,rejected_total,circuit" >"$1"
  while true; do
    echo "$(date -u +%H:%M:%S),$(admin_sample)" >>"$1"
    sleep 1
  done
}
# The load generator, on its own cores when GENERATOR_CPUS names them.
generator=(dotnet bench/ExamDay/bin/Release/net10.0/examday.dll)
[ -n "${GENERATOR_CPUS:-}" ] && generator=(taskset -c "$GENERATOR_CPUS" "${generator[@]}")
before=$(admin_get throttle | jq -r .maxConcurrent)
# However the sweep ends (Ctrl+C or SIGTERM included), the limit's tracer stops and the throttle goes
# back to what it was: stopped mid-run, the sweep left the host in the last run's mode.
tracer=""
cleanup() {
  [ -z "$tracer" ] || kill "$tracer" 2>/dev/null || true
  throttle "$before" "$queue" || echo "knee: could not set the throttle back to $before" >&2
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Warm-up, not recorded: on a freshly started host the first run was always the slowest (JIT, caches,
# warm connections), whatever its limit (BENCHMARKS.md, issue 17), which biased a sweep by its order.
# 10 s at a third of the rate, at the throttle in force, with the teachers after the sweep's own.
if [ "${WARM_UP:-1}" = 1 ]; then
  echo "== warm-up, not recorded: $((rate * 10 / 3)) teachers from T$(printf %07d $((first + teachers))) at $((rate / 3))/s ($(date -u +%H:%M:%S) UTC)"
  "${generator[@]}" --url "$url" --db "$db" \
    --teachers $((rate * 10 / 3)) --first-teacher $((first + teachers)) --exam-slot "$slot" --rate $((rate / 3)) --ramp 2 \
    --rounds 3 --think 500 --max-duration 60 --progress 3600 --report "$out/warm-up.json" | grep -E '^(Run|Submissions)' || true
fi

for limit in "${limits[@]}"; do
  throttle "$limit" "$queue"
  trace="$out/limit-$limit-slot$slot-trace.csv"
  if [ -n "${GENERATOR_CPUS:-}" ]; then
    (taskset -cp "$GENERATOR_CPUS" $BASHPID >/dev/null && trace_limit "$trace") &
  else
    trace_limit "$trace" &
  fi
  tracer=$!
  echo "== admission limit $limit: $teachers teachers from T$(printf %07d "$first"), exam slot $slot, at $rate/s ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1 /proc/loadavg))"
  "${generator[@]}" --url "$url" --db "$db" \
    --teachers "$teachers" --first-teacher "$first" --exam-slot "$slot" --rate "$rate" --ramp 5 \
    --rounds 3 --think 500 --max-duration $((seconds * 4)) --progress 3600 --report "$out/limit-$limit-slot$slot.json" \
    | sed -n '/^ExamDay against/,$p'
  kill "$tracer" 2>/dev/null || true
  tracer=""
  echo "limit over the run (min / last / max): $(tail -n +2 "$trace" | cut -d, -f2 | grep . |
    jq -sr 'if length == 0 then "no samples" else "\(min) / \(last) / \(max)" end')"
  slot=$((slot + 1))
done
echo "Throttle back at $before (on exit). Reports: $out/limit-LIMIT-slotN.json"
