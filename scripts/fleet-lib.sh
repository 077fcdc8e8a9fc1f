# Sourced by scripts/fleet.sh and scripts/node.sh: where a local fleet keeps its files and how one
# node is started. Not a command of its own.
#   .data/fleet/postgres.log        the cluster command's output (scripts/fleet.sh truncates it)
#   .data/fleet/postgres.pid        its process, while the fleet runs
#   .data/fleet/connection          the connection string every node is given (owner-only)
#   .data/fleet/pgbouncer           "true" when that connection string passes PgBouncer (--pgbouncer)
#   .data/fleet/node-PORT/log       a node's output, appended across its restarts
#   .data/fleet/node-PORT/pid       its process, while it runs
#   .data/fleet/node-PORT/spool     its spool, kept across restarts so that what it queued replays

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# FLEET_DIR moves it (the run-command tests use a folder of their own).
fleet_dir="${FLEET_DIR:-$root/.data/fleet}"
host_dir="$root/src/Console/bin/Release/net10.0"
host_dll="$host_dir/ExamConsole.Console.dll"

# The environment of ./run.sh, which every node and the cluster command share.
fleet_defaults() {
  if [ -z "${ConnectionStrings__Exam:-}" ]; then
    export LocalPostgres__DataDirectory="${LocalPostgres__DataDirectory:-$root/.data/pg}"
  fi
  # One signing key for every node: a token from one node is accepted by the others.
  # SigningKeyStore makes the file once, under a lock, when the nodes start together.
  export Auth__SigningKeyFile="${Auth__SigningKeyFile:-$root/.data/signing-key}"
  export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
  mkdir -p "$fleet_dir"
}

# Whether PID is a running host (not a reused pid of something else).
is_host() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'ExamConsole.Console.dll'
}

# Whether something listens on 127.0.0.1:PORT.
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The pid in FILE when that process is still a running host, else nothing.
live_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null || true)
  if is_host "$pid"; then echo "$pid"; fi
}

# Runs one node in this (sub)shell, replacing it: node_exec PORT CONNECTION_STRING [THROUGH_PGBOUNCER]
node_exec() {
  local port=$1 dir="$fleet_dir/node-$1"
  mkdir -p "$dir/spool"
  export ConnectionStrings__Exam="$2"
  if [ "${3:-}" = true ]; then
    export PgBouncer__Enabled=true
  fi
  export ASPNETCORE_URLS="http://127.0.0.1:$port"
  # The fleet core's keys: how the node names itself and where the others reach it.
  export Fleet__NodeName="node-$port"
  export Fleet__Url="http://127.0.0.1:$port"
  # A spool of its own, kept across restarts of this node: a killed node's queue replays when it is back.
  export Spool__Directory="$dir/spool"
  cd "$host_dir"
  exec dotnet ExamConsole.Console.dll
}

# Output of a process as a node's log (appended) and on the terminal with a prefix. A Ctrl+C in the
# terminal must not end the copy before the node has said its last lines.
log_to() {
  trap '' INT
  tee -a "$1" | sed -u "s/^/[$2] /"
}
