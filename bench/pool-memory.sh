#!/usr/bin/env bash
# Samples, every INTERVAL seconds (default 5) until stopped, what a big pool costs: the cluster's
# backends and their memory (Pss and private, from /proc/PID/smaps_rollup of every process of the
# postmaster), the host's own memory, the machine's available memory, and the pool as the host
# reports it (open, busy, acquire p99). One CSV line per sample on stdout.
#
# Memory guard: checked every second apart from the sampling (reading 8,000 smaps files can take
# 30 s under load): when MemAvailable falls under GUARD_MB (default 1536), the pool is resized down
# to what is open minus 500 (PUT /api/admin/pool/size), so the machine is never pushed into the OOM
# killer by a rehearsal; it says so on stderr, and the next sample's line says "guard".
#
#   PGDATA=.data/pg ADMIN_PASSWORD=... bench/pool-memory.sh > memory.csv
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ADMIN_PASSWORD:?Set ADMIN_PASSWORD: the password of an operator, to read the pool and to act on the guard.}"
url="${URL:-http://127.0.0.1:5080}"
pgdata="${PGDATA:-$PWD/.data/pg}"
interval="${INTERVAL:-5}"
guard_mb="${GUARD_MB:-1536}"

token=$(curl -sf -X POST "$url/api/admin/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"${ADMIN_USER:-admin}\",\"password\":\"$ADMIN_PASSWORD\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
postmaster=$(head -1 "$pgdata/postmaster.pid")
host=$(pgrep -f "ExamConsole.Console" | head -1)

json() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/"; }
guard_note=$(mktemp)
guard() {
  while true; do
    avail=$(awk '/^MemAvailable:/{printf "%.0f", $2/1024}' /proc/meminfo)
    if [ "$avail" -lt "$guard_mb" ]; then
      open=$(curl -sf "$url/api/admin/pool" -H "authorization: Bearer $token" | json open || echo 0)
      if [ "${open:-0}" -gt 600 ]; then
        size=$((open - 500))
        curl -sf -X PUT "$url/api/admin/pool/size" -H "authorization: Bearer $token" -H 'content-type: application/json' \
          -d "{\"maxSize\":$size,\"minSize\":$size}" >/dev/null || true
        echo "$(date -u +%H:%M:%S) guard: $avail MB available; pool resized to $size" | tee -a "$guard_note" >&2
        sleep 5
      fi
    fi
    sleep 1
  done
}
guard &
guard_pid=$!
trap 'kill "$guard_pid" 2>/dev/null; rm -f "$guard_note"' EXIT
echo "utc,backends,pg_pss_mb,pg_private_mb,host_rss_mb,host_pss_mb,mem_available_mb,mem_used_mb,pool_open,pool_busy,pool_pending,acquire_p99_ms,load1,note"
while true; do
  children=$(pgrep -P "$postmaster" | tr '\n' ' ')
  files=$(for p in $postmaster $children; do printf '/proc/%s/smaps_rollup ' "$p"; done)
  # Processes that end between pgrep and awk are skipped (awk warns on stderr and goes on).
  read -r pss private < <(awk '/^Pss:/{pss+=$2} /^Private_(Clean|Dirty):/{priv+=$2} END{printf "%.0f %.0f\n", pss/1024, priv/1024}' $files 2>/dev/null)
  read -r hrss hpss < <(awk '/^Rss:/{r=$2} /^Pss:/{p=$2} END{printf "%.0f %.0f\n", r/1024, p/1024}' "/proc/$host/smaps_rollup")
  read -r total avail < <(awk '/^MemTotal:/{t=$2} /^MemAvailable:/{a=$2} END{printf "%.0f %.0f\n", t/1024, a/1024}' /proc/meminfo)
  pool=$(curl -sf "$url/api/admin/pool" -H "authorization: Bearer $token" || echo '{}')
  open=$(echo "$pool" | json open); busy=$(echo "$pool" | json busy); pending=$(echo "$pool" | json pending)
  p99=$(echo "$pool" | sed -E 's/.*"acquireMs":\{[^}]*"p99":([0-9.]+).*/\1/')
  note=$(tail -1 "$guard_note"); : > "$guard_note"
  echo "$(date -u +%H:%M:%S),$(echo $children | wc -w),$pss,$private,$hrss,$hpss,$avail,$((total - avail)),$open,$busy,$pending,$p99,$(cut -d' ' -f1 /proc/loadavg),$note"
  sleep "$interval"
done
