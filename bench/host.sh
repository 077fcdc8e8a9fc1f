#!/usr/bin/env bash
# Runs the host as a deployment runs it, for rehearsals and benchmarks: published in Release,
# Production environment (no developer exception page, no development static-asset checks on
# every request), on http://127.0.0.1:5080 unless ASPNETCORE_URLS says otherwise. Like ./run.sh it
# starts the project's own PostgreSQL (.data/pg, port 15432) when ConnectionStrings__Exam is unset.
# Any setting can be given as an environment variable, e.g. Pool__MinSize=8000.
#   Admin__InitialPassword=... bench/host.sh      (stop with Ctrl+C or SIGTERM)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ -z "${ConnectionStrings__Exam:-}" ]; then
  # LocalPgBouncer__Enabled=true: Debian's PgBouncer in transaction mode in front of it (as ./run.sh).
  if [ "${LocalPgBouncer__Enabled:-}" = true ]; then
    scripts/ensure-deps.sh postgresql pgbouncer
    export LocalPgBouncer__DataDirectory="${LocalPgBouncer__DataDirectory:-$root/.data/pgbouncer}"
  else
    scripts/ensure-deps.sh postgresql
  fi
  export LocalPostgres__DataDirectory="${LocalPostgres__DataDirectory:-$root/.data/pg}"
fi
: "${Admin__InitialPassword:?Set Admin__InitialPassword: the first administrator is created with it when the database has none.}"

out="$root/.data/bench/publish"
dotnet publish src/Console -c Release -o "$out" --nologo -v quiet

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
export Spool__Directory="${Spool__Directory:-$root/.data/spool}"
# One key for the run: tokens survive a restart of this host during a rehearsal.
export Auth__SigningKey="${Auth__SigningKey:-$(head -c 48 /dev/urandom | base64 -w0)}"

# A rehearsal holds a socket per pool connection (up to 8,000) and per teacher: raise the limit of
# open files when allowed (root may raise the hard limit; others get what the hard limit allows).
ulimit -n "${OPEN_FILES:-65536}" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "host.sh: open files limit $(ulimit -n)"

cd "$out"
exec dotnet ExamConsole.Console.dll
