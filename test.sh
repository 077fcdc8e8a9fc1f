#!/usr/bin/env bash
# Runs every test project. Each integration suite starts throwaway PostgreSQL clusters of its own
# under .data/test (own ports, deleted afterwards). Then the README's run command is checked with
# its defaults (tests/RunCommand.Tests): on its own, since it takes ports 5080 and 15432, .data/pg
# and, on a clean clone, both cores for the 40,000-teacher seed. Between the two, the API suite (its
# fault tests included) runs a second time with a real PgBouncer in transaction mode in front of
# every cluster (EXAMCONSOLE_TEST_PGBOUNCER=1): everything that works direct must work through it.
set -euo pipefail
cd "$(dirname "$0")"

scripts/ensure-deps.sh postgresql pgbouncer chromium prometheus

mkdir -p TestResults
log=TestResults/test-run.log
set +e
# A test that hangs fails after 10 minutes with its name, instead of holding the run until CI gives up.
dotnet test ExamConsole.sln -c Release --results-directory TestResults --blame-hang-timeout 10m --blame-hang-dump-type none \
  --filter "Category!=RunCommand" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
EXAMCONSOLE_TEST_PGBOUNCER=1 dotnet test tests/Api.Tests -c Release --no-build --results-directory TestResults --blame-hang-timeout 10m --blame-hang-dump-type none \
  --filter "Category!=RunCommand&Category!=Bouncer" --logger "trx;LogFileName=api-through-pgbouncer.trx" 2>&1 | tee -a "$log"
bouncer_status=${PIPESTATUS[0]}
dotnet test tests/RunCommand.Tests -c Release --no-build --results-directory TestResults --blame-hang-timeout 15m --blame-hang-dump-type none \
  --filter "Category=RunCommand" --logger "console;verbosity=detailed" 2>&1 | tee -a "$log"
run_status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the projects: the one-line summaries of the
# first run, and the "Total tests:" block of the run command's detailed one.
awk '/(Passed|Failed)!  - Failed:/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
       }
     }
     /^Total tests:/ { block = 1; next }
     block && /^ +Passed: / { p += $2; next }
     block && /^ +Failed: / { f += $2; next }
     block && /^ +Skipped: / { s += $2; next }
     block && !/^ +[A-Za-z ]+: / { block = 0 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $(( status != 0 ? status : bouncer_status != 0 ? bouncer_status : run_status ))
