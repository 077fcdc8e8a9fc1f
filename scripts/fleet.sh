#!/usr/bin/env bash
# A fleet of N nodes on this machine against one PostgreSQL (issue 13):
#   scripts/fleet.sh 3          nodes on http://127.0.0.1:5081 .. 5083 (FLEET_FIRST_PORT moves them)
#   scripts/fleet.sh 3 --pgbouncer   the same with Debian's PgBouncer in transaction mode on
#                               127.0.0.1:6432 in front of the cluster (issue 14): every node connects
#                               through it; its configuration is written to .data/pgbouncer
# It builds the host once (Release), starts the local cluster once (the host's `postgres` command:
# .data/pg on 15432, as ./run.sh would), then the nodes with that connection string, one signing key
# (.data/signing-key) and a spool folder each. The environment of ./run.sh is honoured
# (Admin__InitialPassword, Seed__Teachers, Pool__*, ConnectionStrings__Exam: then no cluster is
# started). Pool__MaxSize is the fleet's connection budget (8000 unless set): each live node takes
# floor(budget / live nodes), and the cluster is sized for the budget plus the reserve, as for one node.
# scripts/node.sh PORT adds a node (or brings a killed one back). Ctrl+C or SIGTERM stops every node
# (SIGTERM, then SIGKILL after FLEET_STOP_SECONDS, 30) and then the cluster. Files: .data/fleet.
set -euo pipefail
source "$(dirname "$0")/fleet-lib.sh"
cd "$root"

count="${1:-}"
bouncer=""
case "${2:-}" in
  "") ;;
  --pgbouncer) bouncer=1 ;;
  *) count="" ;;
esac
if ! [[ "$count" =~ ^[0-9]+$ ]] || [ "$count" -lt 1 ] || [ "$count" -gt 16 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/fleet.sh N [--pgbouncer]   (1 to 16 nodes, on ports ${FLEET_FIRST_PORT:-5081} and up)" >&2
  exit 2
fi
if [ -n "$bouncer" ] && [ -n "${ConnectionStrings__Exam:-}" ]; then
  echo "fleet.sh: --pgbouncer starts PgBouncer in front of the local cluster; with ConnectionStrings__Exam set, point it at your PgBouncer and set PgBouncer__Enabled=true instead." >&2
  exit 2
fi
first_port="${FLEET_FIRST_PORT:-5081}"
stop_within="${FLEET_STOP_SECONDS:-30}"

fleet_defaults
if [ -n "$(live_pid "$fleet_dir/postgres.pid")" ]; then
  echo "fleet.sh: a fleet is already running here ($fleet_dir/postgres.pid); add a node with scripts/node.sh PORT." >&2
  exit 1
fi
for pidfile in "$fleet_dir"/node-*/pid; do
  if [ -n "$(live_pid "$pidfile")" ]; then
    # Rebuilding would replace the files a running node executes.
    echo "fleet.sh: a node is still running ($pidfile); stop it first." >&2
    exit 1
  fi
done
ports=()
for ((i = 0; i < count; i++)); do
  port=$((first_port + i))
  if listening "$port"; then
    echo "fleet.sh: port $port is in use; stop what holds it or set FLEET_FIRST_PORT." >&2
    exit 1
  fi
  ports+=("$port")
done

if [ -z "${ConnectionStrings__Exam:-}" ]; then
  scripts/ensure-deps.sh postgresql ${bouncer:+pgbouncer}
fi
if [ -n "$bouncer" ]; then
  export LocalPgBouncer__Enabled=true
  export LocalPgBouncer__DataDirectory="${LocalPgBouncer__DataDirectory:-$root/.data/pgbouncer}"
fi
dotnet build src/Console -c Release --nologo -v quiet -clp:NoSummary

pg_pid=""
node_pids=()

stop_all() {
  trap '' INT TERM
  echo "fleet.sh: stopping ${#node_pids[@]} node(s) and more started with node.sh, then the cluster ..."
  local pids=() pidfile pid
  for pidfile in "$fleet_dir"/node-*/pid; do
    pid=$(live_pid "$pidfile")
    [ -n "$pid" ] && pids+=("$pid")
  done
  for pid in "${node_pids[@]}"; do
    is_host "$pid" && [[ " ${pids[*]} " != *" $pid "* ]] && pids+=("$pid")
  done
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + stop_within))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "fleet.sh: node $pid did not stop within ${stop_within} s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$fleet_dir"/node-*/pid
  if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
    # The cluster command stops the cluster it started (pg_ctl -m fast, bounded at 60 s).
    kill -TERM "$pg_pid" 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
  fi
  rm -f "$fleet_dir/postgres.pid" "$fleet_dir/connection" "$fleet_dir/pgbouncer"
  # Let the last prefixed lines reach the terminal.
  wait 2>/dev/null || true
  echo "fleet.sh: stopped."
}
trap 'stop_all; exit 0' INT TERM

if [ -n "${ConnectionStrings__Exam:-}" ]; then
  connection="$ConnectionStrings__Exam"
  echo "fleet.sh: ConnectionStrings__Exam is set: the nodes use that server, no local cluster is started."
  sleep infinity &
  pg_pid=$!
else
  # The cluster is sized for the fleet's budget, max_connections = Pool__MaxSize + the reserve, as a lone host
  # sizes it; behind PgBouncer for PgBouncer's backends (200 for the pool, 20 in session mode) + the reserve.
  : >"$fleet_dir/postgres.log"
  (
    cd "$host_dir"
    exec dotnet ExamConsole.Console.dll postgres
  ) > >(log_to "$fleet_dir/postgres.log" postgres) 2>&1 &
  pg_pid=$!
  echo "$pg_pid" >"$fleet_dir/postgres.pid"
  connection=""
  for ((i = 0; i < 1200; i++)); do
    connection=$(sed -n 's/^ConnectionStrings__Exam=//p' "$fleet_dir/postgres.log" | head -n 1)
    [ -n "$connection" ] && break
    if ! kill -0 "$pg_pid" 2>/dev/null; then
      echo "fleet.sh: the cluster did not start; see $fleet_dir/postgres.log" >&2
      pg_pid=""
      stop_all
      exit 1
    fi
    sleep 0.1
  done
  if [ -z "$connection" ]; then
    echo "fleet.sh: the cluster was not ready within 120 s; see $fleet_dir/postgres.log" >&2
    stop_all
    exit 1
  fi
fi
(umask 077 && printf '%s\n' "$connection" >"$fleet_dir/connection")
# Behind PgBouncer the cluster command says PgBouncer__Enabled=true: the nodes send no startup options
# and keep their sessions (LISTEN, locks) on PgBouncer's session-mode database.
through_bouncer=""
if [ -z "${ConnectionStrings__Exam:-}" ] && grep -q '^PgBouncer__Enabled=true' "$fleet_dir/postgres.log"; then
  through_bouncer=true
  echo true >"$fleet_dir/pgbouncer"
fi

# Together: the first start migrates and seeds once (the seed takes an advisory lock; the others wait and find it done).
for port in "${ports[@]}"; do
  mkdir -p "$fleet_dir/node-$port/spool"
  (node_exec "$port" "$connection" "$through_bouncer") > >(log_to "$fleet_dir/node-$port/log" "node-$port") 2>&1 &
  node_pids+=($!)
  echo "$!" >"$fleet_dir/node-$port/pid"
done
echo "fleet.sh: ${count} node(s) starting on ${ports[*]/#/http://127.0.0.1:}${through_bouncer:+ through PgBouncer ($LocalPgBouncer__DataDirectory)} (fleet budget Pool__MaxSize ${Pool__MaxSize:-8000}, floor(budget / live nodes) each); logs in $fleet_dir/node-PORT/log. Ctrl+C stops them all."

# Until a signal, or until the cluster command ends by itself (then nothing can work: stop all).
while kill -0 "$pg_pid" 2>/dev/null; do
  wait "$pg_pid" || true
done
echo "fleet.sh: the cluster command ended by itself; see $fleet_dir/postgres.log" >&2
pg_pid=""
stop_all
exit 1
