#!/usr/bin/env bash
# One more node of the local fleet that scripts/fleet.sh runs, or a killed node brought back:
#   scripts/node.sh 5084
# It joins the same cluster (the connection string fleet.sh wrote in .data/fleet/connection, or
# ConnectionStrings__Exam), signing key and environment, with the spool folder of that port
# (.data/fleet/node-PORT/spool), so a node killed mid-exam replays what it queued. It runs in the
# foreground: Ctrl+C or SIGTERM stops it; fleet.sh's Ctrl+C stops it too. It runs the fleet's
# build as it is: rebuilding would replace the files the running nodes execute.
set -euo pipefail
source "$(dirname "$0")/fleet-lib.sh"
cd "$root"

port="${1:-}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1024 ] || [ "$port" -gt 65535 ]; then
  echo "usage: scripts/node.sh PORT   (1024 to 65535, e.g. 5084)" >&2
  exit 2
fi
fleet_defaults

if [ -n "${ConnectionStrings__Exam:-}" ]; then
  connection="$ConnectionStrings__Exam"
elif [ -n "$(live_pid "$fleet_dir/postgres.pid")" ] && [ -s "$fleet_dir/connection" ]; then
  connection=$(cat "$fleet_dir/connection")
else
  echo "node.sh: no local fleet is running here. Start one first: scripts/fleet.sh N (it starts the cluster and N nodes), then scripts/node.sh $port in another terminal." >&2
  exit 1
fi
if [ ! -f "$host_dll" ]; then
  echo "node.sh: the host is not built ($host_dll); scripts/fleet.sh builds it." >&2
  exit 1
fi
if [ -n "$(find src -newer "$host_dll" \( -name '*.cs' -o -name '*.razor' -o -name '*.csproj' -o -name 'appsettings*.json' \) -print -quit)" ]; then
  echo "node.sh: the sources changed since the fleet's build; this node runs that build. Restart scripts/fleet.sh to run the change." >&2
fi
if [ -n "$(live_pid "$fleet_dir/node-$port/pid")" ] || listening "$port"; then
  echo "node.sh: port $port is in use (node-$port is running?)." >&2
  exit 1
fi

mkdir -p "$fleet_dir/node-$port/spool"
# exec keeps this shell's pid for the host: fleet.sh finds it here when it stops the fleet.
echo $$ >"$fleet_dir/node-$port/pid"
echo "node.sh: node-$port on http://127.0.0.1:$port, spool $fleet_dir/node-$port/spool, log $fleet_dir/node-$port/log"
exec > >(log_to "$fleet_dir/node-$port/log" "node-$port") 2>&1
through_bouncer=""
if [ -z "${ConnectionStrings__Exam:-}" ] && [ -s "$fleet_dir/pgbouncer" ]; then
  through_bouncer=true
fi
node_exec "$port" "$connection" "$through_bouncer"
