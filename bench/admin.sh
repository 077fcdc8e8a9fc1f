# Sourced by the bench scripts: the operator API calls they share. Needs $url; admin_login sets $token.
admin_login() {
  token=$(curl -sf -X POST "$url/api/admin/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"${ADMIN_USER:-admin}\",\"password\":\"$ADMIN_PASSWORD\"}" | jq -r .token)
}
admin_get() { curl -sf -m 2 "$url/api/admin/$1" -H "authorization: Bearer $token"; }
# A fixed limit (a number, or null to lift it), "adaptive" (from the limit in force) or "adaptive@N"
# (from N); $2 the queue limit.
throttle() {
  local body="{\"mode\":\"fixed\",\"maxConcurrent\":$1,\"queueLimit\":$2}"
  [ "$1" = adaptive ] && body="{\"mode\":\"adaptive\",\"maxConcurrent\":null,\"queueLimit\":$2}"
  [[ "$1" == adaptive@* ]] && body="{\"mode\":\"adaptive\",\"maxConcurrent\":${1#adaptive@},\"queueLimit\":$2}"
  curl -sf -X PUT "$url/api/admin/throttle" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d "$body" >/dev/null
}
# One CSV fragment, always one line: limit,in_flight,queued,rejected_total,circuit (empty fields when the host did not answer).
admin_sample() {
  local t c
  t=$(admin_get throttle) || t='{}'
  c=$(admin_get circuit) || c='{}'
  jq -rn --argjson t "$t" --argjson c "$c" \
    '[$t.limit, $t.inFlight, $t.queued, $t.rejectedTotal, $c.state] | map(if . == null then "" else tostring end) | join(",")' \
    2>/dev/null || echo ",,,,"
}
