#!/usr/bin/env bash
# Makes sure the machine has what the run and test commands need, installing it through apt when
# run as root, or saying exactly what to install otherwise.
#   scripts/ensure-deps.sh postgresql [pgbouncer] [chromium] [prometheus] [jq]
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    postgresql)
      if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${PG_BIN:-}" ]; then
        missing+=(postgresql)
      fi
      ;;
    pgbouncer)
      if [ ! -x /usr/sbin/pgbouncer ]; then
        missing+=(pgbouncer)
      fi
      ;;
    chromium)
      if [ ! -x /usr/bin/chromium ]; then
        missing+=(chromium)
      fi
      ;;
    prometheus)
      # promtool checks the alerting rules of deploy/prometheus.
      if ! command -v promtool >/dev/null 2>&1; then
        missing+=(prometheus)
      fi
      ;;
    jq)
      # The bench scripts read the operator API's JSON with it.
      command -v jq >/dev/null 2>&1 || missing+=(jq)
      ;;
    *) echo "ensure-deps: unknown dependency '$need'" >&2; exit 2 ;;
  esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing ${missing[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's packages may start a default cluster on port 5432 and a PgBouncer on 6432 (with systemd);
  # the project's own use folders and ports of their own (stop Debian's pgbouncer service if it holds 6432).
  echo "Installed ${missing[*]}."
else
  echo "Missing: ${missing[*]}. Install with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
