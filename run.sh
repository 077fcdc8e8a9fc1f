#!/usr/bin/env bash
# Runs the console and the API on http://127.0.0.1:5080 (ASPNETCORE_URLS overrides).
# With no ConnectionStrings__Exam, the host starts a PostgreSQL cluster of its own under .data/pg
# (port 55432), applies migrations and seeds the demo data when the database is empty.
# Ctrl+C stops the host and the cluster it started.
set -euo pipefail
cd "$(dirname "$0")"

if [ -z "${ConnectionStrings__Exam:-}" ]; then
  scripts/ensure-deps.sh postgresql
  export LocalPostgres__DataDirectory="${LocalPostgres__DataDirectory:-$PWD/.data/pg}"
fi
export Spool__Directory="${Spool__Directory:-$PWD/.data/spool}"
# The token signing key is made once and kept here (owner-only), so a restart signs nobody out;
# Auth__SigningKey, when set, wins (a fleet of machines sets the same one on every node).
export Auth__SigningKeyFile="${Auth__SigningKeyFile:-$PWD/.data/signing-key}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"

exec dotnet run --project src/Console -c Release --no-launch-profile
