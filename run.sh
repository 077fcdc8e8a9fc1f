#!/usr/bin/env bash
# Runs the console and the API on http://127.0.0.1:5080 (ASPNETCORE_URLS overrides).
# With no ConnectionStrings__Exam, the host starts a PostgreSQL cluster of its own under .data/pg
# (port 15432), applies migrations and seeds the demo data when it is not complete.
# LocalPgBouncer__Enabled=true puts Debian's PgBouncer in transaction mode on 127.0.0.1:6432 in front
# of that cluster (configuration under .data/pgbouncer) and the host connects only through it.
# Ctrl+C or SIGTERM stops the host and the cluster it started.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD

if [ -z "${ConnectionStrings__Exam:-}" ]; then
  if [ "${LocalPgBouncer__Enabled:-}" = true ]; then
    scripts/ensure-deps.sh postgresql pgbouncer
    export LocalPgBouncer__DataDirectory="${LocalPgBouncer__DataDirectory:-$root/.data/pgbouncer}"
  else
    scripts/ensure-deps.sh postgresql
  fi
  export LocalPostgres__DataDirectory="${LocalPostgres__DataDirectory:-$root/.data/pg}"
fi
export Spool__Directory="${Spool__Directory:-$root/.data/spool}"
# The token signing key is made once and kept here (owner-only), so a restart signs nobody out;
# Auth__SigningKey, when set, wins (a fleet of machines sets the same one on every node).
export Auth__SigningKeyFile="${Auth__SigningKeyFile:-$root/.data/signing-key}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

dotnet build src/Console -c Release --nologo -v quiet -clp:NoSummary
# The host is exec'd from its build output (not through `dotnet run`), so that SIGTERM and Ctrl+C
# reach it directly and it stops its PostgreSQL on the way out.
cd src/Console/bin/Release/net10.0
exec dotnet ExamConsole.Console.dll
