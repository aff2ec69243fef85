#!/usr/bin/env bash
# What checking a bearer token costs the JVM, per request, from /proc/<pid>/stat: the packaged jar in the
# prod profile (-XX:+UseSerialGC -Xmx128m) on an embedded PostgreSQL, wrk sending one client's token to an
# authenticated read (GET /v1/subscriptions/{unknown id}: the check, one indexed lookup, a 404).
#
#   remembered  the default: a token quarkus-oidc verified is remembered (SHA-256 of the token, a map
#               lookup) for hookhub.auth.verified-token-cache-time (30 s)
#   verified    HOOKHUB_AUTH_VERIFIED_TOKEN_CACHE_SIZE=0: every request verified by quarkus-oidc (ES256
#               signature by kid from the JWK set) and its client looked up in PostgreSQL, which is what a
#               token costs once per 30 s in the default
#
# The difference of the two is the price of a full check; each case's JVM CPU per request is printed with
# the requests per second. Medians of RUNS runs of DURATION seconds. Needs wrk and the packaged jar
# (./mvnw -B package -DskipTests).
#
#   bench/token-check.sh
#   JAR=<an older build's quarkus-run.jar> KEY=RSA bench/token-check.sh   the same for a build before ES256
#   JAVA=<a JDK 25 java> bench/token-check.sh   on the JDK the JVM image ships (its EC code is faster than 17's)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${JAR:-target/quarkus-app/quarkus-run.jar}
KEY=${KEY:-EC} # RSA measures a build from before ES256 tokens (JAR=<its quarkus-run.jar>), as a baseline
[[ -f $JAR ]] || { echo "no $JAR: ./mvnw -B package -DskipTests" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
PORT=${PORT:-18183}
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
WORK=$(mktemp -d /tmp/hookhub-token-check.XXXXXX)
B="http://127.0.0.1:$PORT"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT

if [[ $KEY == RSA ]]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/signing.pem" 2>/dev/null
else
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/signing.pem" 2>/dev/null
fi
export HOOKHUB_TOKEN_SIGNING_KEY=$(openssl pkcs8 -topk8 -nocrypt -in "$WORK/signing.pem" -outform DER | base64 -w0)
export HOOKHUB_TOKEN_PUBLIC_KEY=$(openssl pkey -in "$WORK/signing.pem" -pubout -outform DER | base64 -w0)
export HOOKHUB_ADMIN_TOKEN=$(openssl rand -hex 16) HOOKHUB_ENCRYPTION_KEY=$(openssl rand -base64 32)
export HOOKHUB_EMBEDDED_DB_ENABLED=true HOOKHUB_EMBEDDED_DB_TEMPORARY=true QUARKUS_HTTP_PORT=$PORT MALLOC_ARENA_MAX=2

json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

measure() { # name, extra environment
  local name=$1; shift
  env "$@" "${JAVA:-java}" -XX:+UseSerialGC -Xmx128m -XX:+ExitOnOutOfMemoryError -jar "$JAR" > "$WORK/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 240); do curl -sf "$B/q/health/ready" >/dev/null && break; sleep 0.5; done
  local org client id secret token
  org=$(curl -sf -H "Authorization: Bearer $HOOKHUB_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' "$B/v1/admin/orgs" | json '["id"]')
  client=$(curl -sf -H "Authorization: Bearer $HOOKHUB_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' "$B/v1/admin/orgs/$org/clients")
  id=$(echo "$client" | json '["clientId"]'); secret=$(echo "$client" | json '["clientSecret"]')
  token=$(curl -sf -u "$id:$secret" -d grant_type=client_credentials "$B/oauth/token" | json '["access_token"]')
  local url="$B/v1/subscriptions/00000000-0000-7000-8000-000000000000"
  wrk -t2 -c8 -d10s -H "Authorization: Bearer $token" "$url" >/dev/null # warm-up (JIT)
  local hz; hz=$(getconf CLK_TCK)
  for run in $(seq 1 "$RUNS"); do
    local before after out requests
    before=$(cpu_ticks $pid)
    out=$(wrk -t2 -c8 -d"${DURATION}s" -H "Authorization: Bearer $token" "$url")
    after=$(cpu_ticks $pid)
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "$name $run $requests $(( (after - before) * 1000000 / hz ))" >> "$WORK/results"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

measure remembered
measure verified HOOKHUB_AUTH_VERIFIED_TOKEN_CACHE_SIZE=0
python3 - "$WORK/results" "$DURATION" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
duration = float(sys.argv[2])
per = {}
for name, run, requests, cpu_us in rows:
    per.setdefault(name, []).append((int(requests), int(cpu_us)))
medians = {}
for name, runs in per.items():
    us = statistics.median(c / r for r, c in runs)
    rate = statistics.median(r / duration for r, _ in runs)
    medians[name] = us
    print(f"{name:>10}: {us:6.1f} us of JVM CPU per request, {rate:8.1f} requests/s (median of {len(runs)} runs)")
print(f"a full check (quarkus-oidc ES256 verification + the client's lookup) costs "
      f"{medians['verified'] - medians['remembered']:.1f} us of JVM CPU more than a remembered token")
EOF
