#!/usr/bin/env bash
# hookhub benchmark: builds (or reuses) the packaged jar, starts PostgreSQL and the service, seeds data,
# runs each scenario with wrk (a separate process) and pgbench as the ceiling, and writes
# bench/results/latest.md, latest.csv and latest.png.
#
#   bench/run.sh           full run (about 12 minutes on 2 cores, 10 more for scenario 6, plus the builds when sources changed)
#   bench/run.sh --quick   smoke mode: seconds, tiny data; asserts that it ran, not how fast
#   SCENARIOS=3 bench/run.sh   only the delivery scenario (any subset of 1 2 3 4 5 6 7 8 9); results in target/bench-partial/
#   SCENARIOS="8 9" HOOKHUB_DELIVERY_MAX_IN_FLIGHT=512 bench/run.sh   slow and hanging receivers, with an engine setting
#   SCENARIOS=6 RETENTION_ATTEMPTS=200000 RETENTION_EVENTS=20000 bench/run.sh   the retention purge, small
#   SCENARIOS=7 OFF_SUBSCRIPTIONS=5000 OFF_EVENTS=50000 bench/run.sh   offboarding a smaller org than 100,000 / 1,000,000
#                              beside another org's deliveries
#
# Needs root for apt-get (wrk, gnuplot, postgresql are installed when missing) and the machine's
# PostgreSQL (pg_ctlcluster); see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=0
[[ "${1:-}" == "--quick" ]] && QUICK=1
if ((QUICK)); then
  DURATION=${DURATION:-2}; RUNS=${RUNS:-1}; POOL=${POOL:-3000}; BIG=${BIG:-0}; WARMUP=${WARMUP:-2}
else
  # POOL subscriptions per measured case: enough for DURATION seconds at 6,600 deletes/s (the pgbench
  # ceiling of the plain statement gets 3 times as many, the dialects' own ceilings 1.5 times). A case
  # that uses its pool up answers 404s past its end: its non-2xx count says so, and the report too.
  DURATION=${DURATION:-3}; RUNS=${RUNS:-3}; POOL=${POOL:-20000}; BIG=${BIG:-1}; WARMUP=${WARMUP:-20}
fi
# SCENARIOS: which scenarios run (default all: "1 2 3 4 5 6 7 8 9"), e.g. SCENARIOS=3 for the delivery scenario alone
# (about 2 minutes with the builds reused). A partial run writes its results under target/bench-partial/,
# not over the committed full run in bench/results/.
ALL_SCENARIOS="1 2 3 4 5 6 7 8 9"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }
CONNECTIONS=${CONNECTIONS:-16}
THREADS=2
PORT=${PORT:-18080}
B="http://127.0.0.1:${PORT}"
WORK=$(mktemp -d /tmp/hookhub-bench.XXXXXX)
RESULTS="$ROOT/bench/results"
[[ "$SCENARIOS" == "$ALL_SCENARIOS" ]] || RESULTS="$ROOT/target/bench-partial"
mkdir -p "$RESULTS"
CSV="$WORK/results.csv"
echo "scenario,case,metric,value,unit" > "$CSV"
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
record() { echo "$1,$2,$3,$4,$5" >> "$CSV"; }

# ---- tools ---------------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v nginx >/dev/null || need+=(nginx-light)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- the jar -------------------------------------------------------------------------------------
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
if [[ ! -f "$JAR" ]] || [[ -n "$(find src pom.xml -newer "$JAR" -type f 2>/dev/null | head -1)" ]]; then
  log "building the jar"
  ./mvnw -B -q package -DskipTests
fi

# ---- the service as shipped: the aot-jar with Java 25's AOT cache -----------------------------------
# docker/Dockerfile.jvm runs Quarkus's aot-jar on Java 25 with its AOT cache (Project Leyden): a JDK 25+
# builds the jar and its integration test PackagedServiceIT is the training run that writes app.aot. Built
# here in a copy of the sources under target/aot (so target/quarkus-app stays the ordinary fast-jar),
# reused while no source is newer, and every scenario runs it. AOT=0 (the default of --quick), or no
# JDK 25+ (AOT_JAVA_HOME, or one under /usr/lib/jvm), runs the fast-jar on this machine's java instead,
# and the report says so.
AOT=${AOT:-$((QUICK ? 0 : 1))}
AOT_JAVA=
if ((AOT)); then
  for home in ${AOT_JAVA_HOME:-} /usr/lib/jvm/*; do
    [[ -x "$home/bin/java" ]] || continue
    major=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 25)); then AOT_JAVA="$home/bin/java"; break; fi
  done
fi
AOT_APP="$ROOT/target/aot/target/quarkus-app"
if [[ -n "$AOT_JAVA" ]] && { [[ ! -f "$AOT_APP/app.aot" ]] || [[ -n "$(find src pom.xml -newer "$AOT_APP/app.aot" -type f | head -1)" ]]; }; then
  log "building the AOT-cache variant with $("$AOT_JAVA" -version 2>&1 | head -1)"
  rm -rf "$ROOT/target/aot" && mkdir -p "$ROOT/target/aot"
  cp -r pom.xml mvnw .mvn src "$ROOT/target/aot/"
  (cd "$ROOT/target/aot" && JAVA_HOME=$(dirname "$(dirname "$AOT_JAVA")") ./mvnw -B -q verify \
    -Dquarkus.package.jar.aot.enabled=true -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=PackagedServiceIT > "$WORK/aot-build.log" 2>&1) || { tail -40 "$WORK/aot-build.log" >&2; exit 1; }
fi
# SERVICE: java, jar and extra options of the service every scenario runs; BENCH_SERVICE names it in the report.
if [[ -n "$AOT_JAVA" ]]; then
  SERVICE=("$AOT_JAVA" "$AOT_APP/quarkus-run.jar" "-XX:AOTCache=$AOT_APP/app.aot -Xlog:aot*=error")
  export BENCH_SERVICE="aot-jar with its AOT cache on $("$AOT_JAVA" -version 2>&1 | head -1) (as docker/Dockerfile.jvm ships)"
else
  SERVICE=(java "$JAR" "")
  export BENCH_SERVICE="fast-jar on $(java -version 2>&1 | head -1), without the AOT cache (AOT=0 or no JDK 25+)"
fi
# The jcmd of the service's JDK (rss_parts, and NMT=1's summaries).
JCMD="$(dirname "$(readlink -f "$(command -v "${SERVICE[0]}")")")/jcmd"

# ---- PostgreSQL ----------------------------------------------------------------------------------
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
# BENCH_DB: the database and its role (another name lets two runs share the machine's PostgreSQL).
DB=${BENCH_DB:-hookhub_bench}
DBPASS=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<SQL
do \$\$ begin if not exists (select from pg_roles where rolname = '${DB}') then create role ${DB} login; end if; end \$\$;
alter role ${DB} password '${DBPASS}';
drop database if exists ${DB};
create database ${DB} owner ${DB};
SQL
export PGPASSWORD="$DBPASS"
PSQL=(psql -h 127.0.0.1 -U "$DB" -d "$DB" -v ON_ERROR_STOP=1 -qtA)

# ---- the service ---------------------------------------------------------------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/signing.pem" 2>/dev/null
ENC_KEY=$(openssl rand -base64 32)
export HOOKHUB_ADMIN_TOKEN=$(openssl rand -hex 16)
export HOOKHUB_ENCRYPTION_KEY="$ENC_KEY"
export HOOKHUB_TOKEN_SIGNING_KEY=$(openssl pkcs8 -topk8 -nocrypt -in "$WORK/signing.pem" -outform DER | base64 -w0)
export HOOKHUB_TOKEN_PUBLIC_KEY=$(openssl pkey -in "$WORK/signing.pem" -pubout -outform DER | base64 -w0)
export QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:5432/${DB}"
export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/${DB}"
export QUARKUS_DATASOURCE_USERNAME=$DB
export QUARKUS_DATASOURCE_PASSWORD="$DBPASS"
export QUARKUS_HTTP_PORT=$PORT
export QUARKUS_LOG_LEVEL=WARN
export HOOKHUB_DELIVERY_ALLOW_PRIVATE_TARGETS=true   # the receiver of scenario 3 is on loopback
# hookhub's own tokens are longer than CRO's documented 256-character Authorization limit (README, CRO).
export HOOKHUB_CRO_MAX_AUTHORIZATION_LENGTH=1024
# The retention purge runs when scenario 6 asks for it (POST /v1/admin/retention/purge), never on its own
# timer inside a measured case (or before scenario 6, on the rows it seeded for its own purge).
export HOOKHUB_DELIVERY_PURGE_EVERY=off

# The JVM options as shipped (docker/Dockerfile.jvm sets the same, and says why): serial GC, a 128 MiB heap with
# large survivor spaces, C2 without the C1 tiers, exit on the first OutOfMemoryError, malloc memory freed in the last second given back (TrimNativeHeapInterval), two malloc
# arenas. JAVA_OPTS replaces the options (a profiler agent, say).
JAVA_OPTS=${JAVA_OPTS:-"-XX:+UseSerialGC -Xmx128m -XX:SurvivorRatio=2 -XX:-TieredCompilation -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=1000"}
# NMT=1: the JVM's native memory tracking on (a diagnosis, not the service as shipped: it costs memory of its own), and
# scenario 8 keeps its summary after each run (target/bench-partial/nmt-slow-N.txt, or bench/results/).
NMT=${NMT:-0}
((NMT)) && JAVA_OPTS="$JAVA_OPTS -XX:NativeMemoryTracking=summary"
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
export BENCH_JAVA_OPTS="$JAVA_OPTS"   # named in the report
# The delivery engine's settings this run's service has: each HOOKHUB_DELIVERY_* from the environment, else its
# default read from HookhubConfig (so that the report cannot name a stale default), the delivery HTTP client's pool
# as DeliverySender sizes it, and the reactive datasource's pool. Recorded with the figures (scenarios 3, 8, 9).
delivery_settings() {
  python3 - "$ROOT/src/main/java/dev/hookhub/HookhubConfig.java" "$ROOT/src/main/java/dev/hookhub/delivery/DeliverySender.java" \
    "$ROOT/src/main/resources/application.properties" <<'PY2'
import os, re, sys
config, sender, props = (open(f).read() for f in sys.argv[1:4])
body = re.search(r'interface Delivery \{(.*?)\n    \}', config, re.S).group(1)
out = []
for name in ('max-in-flight', 'max-in-flight-per-subscription', 'batch-size', 'claim-visits', 'timeout'):
    camel = re.sub(r'-(.)', lambda m: m.group(1).upper(), name)
    m = re.search(r'@WithDefault\("([^"]*)"\)\s+\S+ ' + camel + r'\(\);', body)
    env = 'HOOKHUB_DELIVERY_' + name.upper().replace('-', '_')
    value = os.environ.get(env) or (m.group(1) if m else '?')
    out.append(f'{name}={value} ({"set by " + env if os.environ.get(env) else "default"})')
pool = re.search(r'setMaxPoolSize\((.*)\)\s*\n', sender)
pool = pool.group(1) if pool else '?'
if pool.endswith('maxInFlight()'):
    pool = 'max-in-flight, ' + out[0].split('=')[1].split(' ')[0]
out.append('HTTP client pool=' + pool + ' connections per receiver address (DeliverySender), keep-alive')
m = re.search(r'^quarkus\.datasource\.reactive\.max-size=(\S+)', props, re.M)
ds = os.environ.get('QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE') or (m.group(1) if m else '?')
out.append(f'datasource pool={ds} connections')
print('; '.join(out))
PY2
}
export BENCH_DELIVERY_SETTINGS=$(delivery_settings)
SERVICE_PID=
STARTUP_MS=
# start_service [JAVA JAR EXTRA_OPTIONS]: starts the jar (by default the SERVICE) in the background (not in
# a subshell: SERVICE_PID must stay visible) and sets STARTUP_MS to the time from process start to
# /q/health/ready UP.
start_service() {
  local t0 t1 java=${1:-${SERVICE[0]}} jar=${2:-${SERVICE[1]}} extra=${3-${SERVICE[2]}}
  t0=$(date +%s%N)
  "$java" $JAVA_OPTS $extra -jar "$jar" > "$WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 600); do
    if curl -fs "$B/q/health/ready" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then cat "$WORK/service.log" >&2; exit 1; fi
    sleep 0.02
  done
  t1=$(date +%s%N)
  STARTUP_MS=$(( (t1 - t0) / 1000000 ))
}
stop_service() { [[ -n "$SERVICE_PID" ]] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=; }
# The report is written on every exit, so an interrupted run still keeps what it measured.
report() {
  if [[ -f "$CSV" ]] && (( $(wc -l < "$CSV") > 1 )); then
    cp "$CSV" "$RESULTS/latest.csv"
    python3 "$ROOT/bench/report.py" "$RESULTS/latest.csv" "$RESULTS" "$QUICK" "$DURATION" "$RUNS" "$CONNECTIONS" || true
  fi
}
# A partial run keeps the service's log beside its table (target/bench-partial/service.log).
# stop_publisher: scenario 7's background publisher, a subshell running wrk | grep: its children first, or wrk goes on
# for its hour (it did, into the next run, whose deletes and publishes its stale token's failures then shared the
# service with).
stop_publisher() {
  [[ -n "${PUBLISHER:-}" ]] || return 0
  # Each may find nothing (the subshell ends by itself once its children are gone): under set -e a failed kill ended
  # the run, and in the exit trap it skipped stopping the service and writing the report.
  pkill -P "$PUBLISHER" 2>/dev/null || true
  kill "$PUBLISHER" 2>/dev/null || true
  wait "$PUBLISHER" 2>/dev/null || true
  PUBLISHER=
}
cleanup() {
  stop_publisher
  stop_service; report
  [[ "$RESULTS" != "$ROOT/bench/results" && -f "$WORK/service.log" ]] && cp "$WORK/service.log" "$RESULTS/service.log"
  rm -rf "$WORK"
}
trap cleanup EXIT
rss_mb() { echo $(( $(ps -o rss= -p "$SERVICE_PID") / 1024 )); }
# flush_writes: a PostgreSQL checkpoint, then the kernel's dirty pages written (sync).
flush_writes() { su postgres -c "psql -qc checkpoint" >/dev/null; sync; }
# settle: waits (at most 30 s) until the idle service has used under 10 % of a core for half a second. After a
# warm-up its JIT compilers still work through a queue of compilations for several seconds; a case
# measured then shares the 2 cores with them. Sets SETTLED_S to how long it waited.
settle() {
  local ticks hz t0 before after
  hz=$(getconf CLK_TCK); t0=$(date +%s)
  ticks() { awk '{print $14 + $15}' "/proc/$SERVICE_PID/stat"; }
  before=$(ticks)
  while sleep 0.5; do
    after=$(ticks)
    (( (after - before) * 20 < hz )) && break
    (( $(date +%s) - t0 >= 30 )) && { log "settle: still busy after 30 s"; break; }
    before=$after
  done
  SETTLED_S=$(( $(date +%s) - t0 ))
}

log "first start (migrates the schema)"
start_service
stop_service
# Starts are cheap and noisier than the load cases (one start is 1-2 s of both cores): 5 of each.
STARTS=${STARTS:-$((QUICK ? 1 : 5))}
# startups SUFFIX [JAVA JAR EXTRA_OPTIONS]: STARTS starts, each timed to ready, idle memory 2 s later; each
# from a checkpoint with the kernel's dirty pages written (the builds and the first start leave both).
startups() {
  local suffix=$1; shift
  for r in $(seq 1 "$STARTS"); do
    flush_writes
    start_service "$@"
    record startup "time to ready$suffix" ms "$STARTUP_MS" ms
    sleep 2
    record startup "idle rss$suffix" mb "$(rss_mb)" MB
    stop_service
  done
}
if want 5; then
log "scenario 5: start-up and idle memory"
startups ""
# For comparison, the same jar's start without the cache: the fast-jar on this machine's java.
# For comparison only: 3 starts.
[[ -n "$AOT_JAVA" ]] && STARTS=$((STARTS < 3 ? STARTS : 3)) startups " fast-jar without AOT cache" java "$JAR" ""
fi
start_service

# ---- tenancy -------------------------------------------------------------------------------------
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ADMIN="Authorization: Bearer $HOOKHUB_ADMIN_TOKEN"
ORG_JSON=$(curl -fs -X POST "$B/v1/admin/orgs" -H "$ADMIN" -H 'Content-Type: application/json' -d '{"name":"bench"}')
ORG=$(echo "$ORG_JSON" | json "['id']"); TENANT=$(echo "$ORG_JSON" | json "['number']")
CLIENT=$(curl -fs -X POST "$B/v1/admin/orgs/$ORG/clients" -H "$ADMIN" -H 'Content-Type: application/json' -d '{"roles":["Admin"]}')
CID=$(echo "$CLIENT" | json "['clientId']"); CSECRET=$(echo "$CLIENT" | json "['clientSecret']")
TOKEN=$(curl -fs -X POST "$B/oauth/token" -u "$CID:$CSECRET" -d grant_type=client_credentials | json "['access_token']")
APIKEY=$(curl -fs -X POST "$B/v1/admin/orgs/$ORG/api-keys" -H "$ADMIN" -H 'Content-Type: application/json' -d '{}' | json "['key']")
IC_TOKEN=$(curl -fs -X POST "$B/$ORG/login/token" -u "$CID:$CSECRET" -d grant_type=client_credentials | json "['access_token']")
# Event types of the seeded subscriptions, so Hi Marley's EVENT_ID resolves as in real use.
"${PSQL[@]}" -c "insert into event_type (org_id, name) values ('$ORG','order.created'), ('$ORG','order.paid') on conflict do nothing"

# The seeder compiled once (a source-file launch would compile it again for each of the ~60 pools).
javac -d "$WORK/seeder" "$ROOT/bench/Seed.java"
# seed NAME COUNT HISTORY: a pool of COUNT live subscriptions with HISTORY attempts each -> $WORK/NAME.pool
seed() {
  local name=$1 count=$2 history=$3
  java -cp "$WORK/seeder" Seed "$ENC_KEY" "$ORG" "$count" "$WORK/$name"
  "${PSQL[@]}" -c "\\copy subscription (id, org_id, name, url, events, content_type, headers, active, version, created_at, created_by, modified_at, modified_by) from '$WORK/$name.subscriptions.copy'" \
    -c "\\copy signing_secret (id, subscription_id, key_id, ciphertext, created_at) from '$WORK/$name.secrets.copy'"
  cut -d, -f1 "$WORK/$name.ids.csv" > "$WORK/$name.idlist"
  "${PSQL[@]}" -c "create temp table pool_ids (id uuid)" -c "\\copy pool_ids from '$WORK/$name.idlist'" \
    -c "insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code, status_description, duration_ms)
    select gen_random_uuid(), p.id, gen_random_uuid(), '$ORG', now() - (g || ' minutes')::interval,
           case when g % 3 = 0 then 500 else 200 end, case when g % 3 = 0 then 'Internal Server Error' else 'OK' end, 20 + g
      from pool_ids p cross join generate_series(1, $history) g" \
    -c "\\copy (select s.id, s.number from subscription s join pool_ids p on p.id = s.id) to '$WORK/$name.numbers' with (format csv)"
  # id,number,secret
  LC_ALL=C join -t, <(LC_ALL=C sort "$WORK/$name.numbers") <(LC_ALL=C sort "$WORK/$name.ids.csv") > "$WORK/$name.pool"
  # Vacuumed as well as analyzed: the seeding's inserts would otherwise set autovacuum off on these tables
  # (1.5 million attempt rows, say) at a moment of its choosing, inside whichever case, pgbench's or the
  # service's, runs then. Measured: the PostgreSQL CPU per delete of the same case varied 296-453 us with
  # analyze alone, 246-278 us with vacuum analyze. The deletes' own dead rows still wake autovacuum, as
  # they would in use.
  "${PSQL[@]}" -c "vacuum analyze subscription, delivery_attempt, signing_secret, audit" >/dev/null
}

# Each measured case starts from a fresh checkpoint, pgbench's as the service's, with the kernel's dirty
# pages written (sync) and the service settled: otherwise the writes of the seeding (or the large data
# set's bulk load), or the JIT's queue, land in whichever case happens to run then.
quiesce() { flush_writes; settle; }
# load DIALECT FORMAT POOLNAME [RATE] -> prints the RESULT line of wrk
load() {
  quiesce
  DIALECT=$1 FORMAT=$2 POOL="$WORK/$3.pool" RATE=${4:-0} THREADS=$THREADS CONNECTIONS=$CONNECTIONS \
    TOKEN=$([[ $1 == identitycloud ]] && echo "$IC_TOKEN" || echo "$TOKEN") APIKEY="$APIKEY" ORG="$ORG" TENANT="$TENANT" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s -s "$ROOT/bench/lua/delete.lua" "$B" | grep '^RESULT'
}
field() { sed -E "s/.* $1=([^ ]+).*/\\1/" <<<"$2"; }

# java_sql FILE [FROM TO]...: the `String SQL = """..."""` statement of a Java source on one line, its
# comments dropped and each FROM replaced by its TO in order (the scope for %s, then the parameters).
java_sql() {
  python3 - "$@" <<'PY'
import re, sys
sql = re.search(r'String SQL = """\n(.*?)""";', open(sys.argv[1]).read(), re.S).group(1)
sql = re.sub(r'--[^\n]*', '', sql)
for old, new in zip(sys.argv[2::2], sys.argv[3::2]):
    sql = sql.replace(old, new)
print(' '.join(line.strip() for line in sql.strip().splitlines()))
PY
}
# The delete statement exactly as the service runs it, taken from the one delete core's repository, by number.
CORE="$ROOT/src/main/java/dev/hookhub/subscription/SubscriptionRepository.java"
# The scope pgbench deletes in (by number: it walks the pool's numbers) and its parameters $6 and $7;
# a dialect with a scope of its own sets SCOPE, P6 and P7 for its ceiling (OWN_SCOPE below).
PLAIN_SCOPE='s.number = $1 and s.org_id = $6'
# pgbench_script HISTORY [BEFORE...]: one delete per transaction, after the BEFORE statements a dialect
# sends first; when they open a transaction (begin), a commit closes it, as the service sends them.
pgbench_script() {
  local history=$1; shift
  echo '\set i :i + 1'
  echo '\set n :base + (:i - 1) * :clients + :client_id'
  # Past its pool's last number a client does nothing: the next numbers belong to other pools.
  echo '\if :n <= :last'
  for statement in "$@"; do echo "$statement;"; done
  echo "$(java_sql "$CORE" '%s' "${SCOPE:-$PLAIN_SCOPE}" '$1' ':n' '$2' "'pgbench'" '$3' "'pgbench'" \
    '$4' "'127.0.0.1'" '$5' "$history" '$6' "${P6:-'$ORG'::uuid}" '$7' "${P7:-}");"
  [[ "${1:-}" == begin* ]] && echo "commit;"
  echo '\endif'
  return 0
}
# ceiling POOLNAME HISTORY [BEFORE...] -> deletes per second of pgbench running that transaction on
# distinct live subscriptions (counted from the audit records it wrote, so an exhausted pool cannot
# inflate it)
ceiling() {
  local name=$1 base last before after t0 t1
  shift
  pgbench_script "$@" > "$WORK/delete.pgbench"
  { read -r base; read -r last; } < <(sort -t, -k2 -n "$WORK/$name.pool" | sed -n '1p;$p' | cut -d, -f2)
  before=$("${PSQL[@]}" -c "select count(*) from audit where surface = 'pgbench'")
  quiesce
  t0=$(date +%s%N)
  pgbench -h 127.0.0.1 -U "$DB" -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" \
    -D i=0 -D base="$base" -D last="$last" -D clients="$CONNECTIONS" -f "$WORK/delete.pgbench" "$DB" > "$WORK/pgbench.out" 2>&1
  t1=$(date +%s%N)
  after=$("${PSQL[@]}" -c "select count(*) from audit where surface = 'pgbench'")
  (( after - before >= last - base + 1 - CONNECTIONS )) && log "pgbench used up the pool $name: its rate is a lower bound"
  awk -v n=$((after - before)) -v ns=$((t1 - t0)) 'BEGIN {printf "%.1f", n / (ns / 1e9)}'
}
# The dialects whose SQL differs from the plain statement (v1, m3ter and CRO send just that; a bearer
# token verified once is remembered): Hi Marley's statement finds the org by its API key's SHA-256, every
# request, in the same statement (the BY_WRITER_KEY scope of the delete core, with the roles that may
# write); ServiceStack's transaction holds the row while the secret is checked and answers with up to 100
# history rows (ServiceStackConfig); Identity Cloud's carries its 9-second time limit (IdentityCloudResource).
# OWN_CEILING: history rows and the statements sent before the delete ("|" between them); OWN_SCOPE: the
# delete core's scope constant, its parameters $6 and $7.
KEY_HASH=$(printf %s "$APIKEY" | sha256sum | cut -c1-64)
java_scope() { # java_scope NAME: the text of the delete core's NAME = SQL.formatted("..." + "...") scope
  python3 - "$CORE" "$1" <<'PY'
import re, sys
body = re.search(sys.argv[2] + r' = SQL\.formatted\((.*?)\);', open(sys.argv[1]).read(), re.S).group(1)
print(''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', body)))
PY
}
KEY_SCOPE=$(java_scope BY_WRITER_KEY)
[[ "$KEY_SCOPE" == "s.id = \$1 and "*api_key* ]] || { echo "the API key scope was not found in $CORE: $KEY_SCOPE" >&2; exit 1; }
declare -A OWN_CEILING=(
  [himarley]="0"
  [servicestack]="100 begin"
  [identitycloud]="0 begin|set local statement_timeout = 9000"
)
declare -A OWN_SCOPE=(
  [himarley]="${KEY_SCOPE/s.id = /s.number = }|'\\x$KEY_HASH'::bytea|'{Admin,Dispatcher}'::text[]"
)

read -r -a DIALECTS <<< "${DIALECTS:-v1 m3ter himarley servicestack cro identitycloud}"
split_pools() { # split_pools NAME POOLNAME... : NAME's pool in equal parts, in number order
  local name=$1 i=0; shift
  sort -t, -k2 -n "$WORK/$name.pool" > "$WORK/$name.sorted"
  split -n "l/$#" -d -a 2 "$WORK/$name.sorted" "$WORK/$name.part"
  for pool in "$@"; do mv "$WORK/$name.part$(printf %02d $i)" "$WORK/$pool.pool"; i=$((i + 1)); done
}
if want 1; then
peak_rss=0
# A warm-up the figures leave out: the JIT compiles the hot paths of every dialect before anything counts.
WARMUP_EACH=$((QUICK ? 1 : 5))
log "warm-up: ${WARMUP}s of v1 deletes, then every dialect and format for ${WARMUP_EACH} s, not recorded"
# The JIT needs tens of seconds of load on 2 busy cores before the delete path runs compiled (measured:
# about 1,100 deletes/s after 10 s of load, 2,000+ after 30 s). Each dialect's own code then needs
# thousands of calls before C2 compiles it: with 1 s each, a profile of the measured cases still showed
# the compiler threads at 14-43 % of the JVM's CPU in the first case of each dialect; with 2 s each, the
# C2 thread's CPU time, read every second, was still 10-40 % of a core through the first run's cases
# (that run's m3ter JSON case: 0.40 of its ceiling, the next run's 0.57). settle (in load) then waits for
# the compilations queued.
seed warm-v1 "$((WARMUP * 5000))" 1
DURATION=$WARMUP load v1 json warm-v1 > /dev/null
cases=(); for d in "${DIALECTS[@]}"; do cases+=("$d-json" "$d-msgpack"); done
# One seeding for many pools (each seeding costs seconds: a JVM, COPY, the history insert, ANALYZE).
seed warm "$((WARMUP_EACH * 5000 * ${#cases[@]}))" 1
split_pools warm "${cases[@]/#/warm-}"
for c in "${cases[@]}"; do
  DURATION=$WARMUP_EACH load "${c%-*}" "${c##*-}" "warm-$c" > /dev/null
done
settle
log "settled ${SETTLED_S} s after the warm-up (the JIT's queue of compilations)"
log "scenario 1: delete per dialect and format, ${RUNS} run(s) of ${DURATION}s at ${CONNECTIONS} connections"
# ceilings R WHEN: every ceiling of run R (the plain statement's, then each dialect's own), recorded as
# metric "rps" before the run's cases and "rps after" after them: the machine drifts within a run too
# (one run's plain ceiling measured 5,271/s, a dialect's own 4 s later 6,053/s), and the report divides
# each case by the geometric mean of the two.
ceilings() {
  local r=$1 when=$2 metric tps
  metric=$([[ $when == before ]] && echo rps || echo "rps after")
  tps=$(ceiling "ceiling-$when$r" 0)
  record delete "pgbench" "$metric" "$tps" "req/s"
  log "run $r: pgbench ${tps} tps ($when the cases)"
  for d in "${DIALECTS[@]}"; do
    [[ -n "${OWN_CEILING[$d]:-}" ]] || continue
    read -r history statements <<< "${OWN_CEILING[$d]}"
    IFS='|' read -r -a before <<< "$statements"
    IFS='|' read -r scope p6 p7 <<< "${OWN_SCOPE[$d]:-}"
    tps=$(SCOPE=$scope P6=$p6 P7=$p7 ceiling "ceiling-$when-$d$r" "$history" "${before[@]}")
    record delete "pgbench $d" "$metric" "$tps" "req/s"
    log "run $r: pgbench as $d: ${tps} tps ($when the cases)"
  done
}
for r in $(seq 1 "$RUNS"); do
  # The ceilings' pools (the plain statement's of two parts), before and after, and the cases' pools,
  # seeded at once.
  pools=()
  for when in before after; do
    pools+=("ceiling-$when$r" "ceiling-$when$r-2")
    for d in "${DIALECTS[@]}"; do [[ -n "${OWN_CEILING[$d]:-}" ]] && pools+=("ceiling-$when-$d$r"); done
  done
  seed "ceilings$r" "$((POOL * 3 / 2 * ${#pools[@]}))" 3
  split_pools "ceilings$r" "${pools[@]}"
  for when in before after; do cat "$WORK/ceiling-$when$r-2.pool" >> "$WORK/ceiling-$when$r.pool"; done
  seed "cases$r" "$((POOL * ${#cases[@]}))" 3
  split_pools "cases$r" "${cases[@]/%/-$r}"
  ceilings "$r" before
  for d in "${DIALECTS[@]}"; do
    for f in json msgpack; do
      line=$(load "$d" "$f" "$d-$f-$r")
      rss=$(rss_mb); ((rss > peak_rss)) && peak_rss=$rss
      record delete "$d $f" rps "$(field rps "$line")" "req/s"
      record delete "$d $f" p50 "$(field p50_ms "$line")" ms
      record delete "$d $f" p99 "$(field p99_ms "$line")" ms
      record delete "$d $f" non2xx "$(field non2xx "$line")" count
      log "run $r: $d $f: $line"
    done
  done
  ceilings "$r" after
done
record startup "rss under delete load" mb "$peak_rss" MB

log "scenario 1b: p99 at 70% of the v1 peak"
peak=$(awk -F, '$1=="delete" && $2=="v1 json" && $3=="rps" {print $4}' "$CSV" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rate=$(awk -v p="$peak" 'BEGIN {printf "%d", p * 0.7}')
paced=(); for r in $(seq 1 "$RUNS"); do paced+=("paced-$r"); done
seed paced "$((POOL * RUNS))" 3
split_pools paced "${paced[@]}"
for r in $(seq 1 "$RUNS"); do
  line=$(load v1 json "paced-$r" "$rate")
  record delete "v1 json at 70% of peak" p99 "$(field p99_ms "$line")" ms
  record delete "v1 json at 70% of peak" rps "$(field rps "$line")" "req/s"
done

fi

if want 2 && [[ " ${DIALECTS[*]} " == *" servicestack "* ]]; then
log "scenario 2: ServiceStack answer with 100 history rows, JSON vs MessagePack"
seed "bytes" 2 100
while IFS=, read -r id number secret; do
  json_bytes=$(curl -s -o /dev/null -w '%{size_download}' -X POST "$B/sync/webhooks/subscriptions/$id/delete" \
    -H 'Content-Type: application/json' -d "{\"id\":\"$id\",\"secret\":\"$secret\"}")
  break
done < "$WORK/bytes.pool"
while IFS=, read -r id number secret; do
  mp_bytes=$(curl -s -o /dev/null -w '%{size_download}' -X POST "$B/sync/webhooks/subscriptions/$id/delete?format=msgpack" \
    -H 'Content-Type: application/json' -d "{\"id\":\"$id\",\"secret\":\"$secret\"}")
done < <(tail -1 "$WORK/bytes.pool")
record msgpack "servicestack 100 history" "json bytes" "$json_bytes" bytes
record msgpack "servicestack 100 history" "msgpack bytes" "$mp_bytes" bytes
# Cases of 2 s on pools for 2,500 answers/s (it answered 1,500/s: pools of 1,500/s used themselves up and
# capped both formats alike), seeded at once; a used-up pool shows as non-2xx answers in the report.
H100_S=$((QUICK ? 1 : 2))
h100=(); for r in $(seq 1 "$RUNS"); do h100+=("h100-json-$r" "h100-msgpack-$r"); done
seed h100 "$((H100_S * 2500 * ${#h100[@]}))" 100
split_pools h100 "${h100[@]}"
for r in $(seq 1 "$RUNS"); do
  for f in json msgpack; do
    line=$(DURATION=$H100_S load servicestack "$f" "h100-$f-$r")
    record msgpack "servicestack 100 history $f" rps "$(field rps "$line")" "req/s"
    record msgpack "servicestack 100 history $f" non2xx "$(field non2xx "$line")" count
  done
done
fi

if want 3 || want 7 || want 8 || want 9; then
# The receiver, the delivery org and its load: scenario 3 measures them, scenario 7 runs them beside an offboarding,
# scenarios 8 and 9 use them with slow and hanging receivers (bench/Receiver.java).
# An org of its own: the org of scenarios 1 and 2 still holds the pools' undeleted subscriptions.
ORG=$(curl -fs -X POST "$B/v1/admin/orgs" -H "$ADMIN" -H 'Content-Type: application/json' -d '{"name":"bench-delivery"}' | json "['id']")
CLIENT=$(curl -fs -X POST "$B/v1/admin/orgs/$ORG/clients" -H "$ADMIN" -H 'Content-Type: application/json' -d '{"roles":["Admin"]}')
TOKEN=$(curl -fs -X POST "$B/oauth/token" -u "$(echo "$CLIENT" | json "['clientId']"):$(echo "$CLIENT" | json "['clientSecret']")" \
  -d grant_type=client_credentials | json "['access_token']")
RECEIVER_PORT=$((PORT + 10))
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:${RECEIVER_PORT}; location / { return 204; } }
}
NGINX
nginx -c "$WORK/nginx/nginx.conf"
# Slow and hanging receivers (scenarios 8 and 9): nginx cannot hold an answer back, so an asynchronous receiver of
# our own, one Vert.x event loop (bench/Receiver.java, compiled against the packaged jar's Vert.x): /slow answers 204
# after 100 ms, /hang never answers (the service's attempt deadline closes the connection), /ok answers 204 at once.
SLOW_PORT=$((PORT + 20))
RECEIVER_PID=
if want 8 || want 9; then
  javac -nowarn -d "$WORK/receiver" -cp "$ROOT/target/quarkus-app/lib/main/*" "$ROOT/bench/Receiver.java"
  java -XX:+UseSerialGC -Xmx128m -cp "$WORK/receiver:$ROOT/target/quarkus-app/lib/main/*" \
    Receiver "$SLOW_PORT" > "$WORK/receiver.log" 2>&1 &
  RECEIVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$SLOW_PORT/stats" >/dev/null 2>&1 && break; sleep 0.1; done
fi
trap 'nginx -s stop -c "$WORK/nginx/nginx.conf" 2>/dev/null || true; [[ -n "$RECEIVER_PID" ]] && kill "$RECEIVER_PID" 2>/dev/null; cleanup' EXIT
# The engine's settings of this run, with the delivery figures (the report names them too).
for name in max-in-flight max-in-flight-per-subscription batch-size claim-visits; do
  record settings "delivery engine" "$name" "$(sed -E "s/.*(^|; )$name=([0-9]+).*/\\2/" <<< "$BENCH_DELIVERY_SETTINGS")" setting
done
# fanout NAME COUNT TYPE [KINDS] [URL]: COUNT subscriptions (real encrypted secrets) delivering to URL (default
# nginx's), all of event type TYPE, or with KINDS > 1 each of one of TYPE.0 .. TYPE.<KINDS-1>
fanout() {
  local kinds=${4:-1} url=${5:-http://127.0.0.1:${RECEIVER_PORT}/hook}
  seed "$1" "$2" 0
  "${PSQL[@]}" -c "create temp table fan_ids (id uuid)" -c "\\copy fan_ids from '$WORK/$1.idlist'" \
    -c "update subscription s set url = '$url',
          events = case when $kinds > 1 then array['$3.' || (f.n % $kinds)] else array['$3'] end
          from (select id, row_number() over () as n from fan_ids) f where s.id = f.id"
}
# publish TYPE RATE CONNECTIONS SECONDS [KINDS]: events of TYPE (or of TYPE.0 .. TYPE.<KINDS-1> in turn)
publish() {
  TOKEN="$TOKEN" EVENT_TYPE=$1 RATE=$2 CONNECTIONS=$3 EVENT_KINDS=${5:-1} \
    wrk -t1 -c"$3" -d"${4}s" --timeout 5s -s "$ROOT/bench/lua/publish.lua" "$B" | grep '^RESULT'
}
# drained POOLNAME [SECONDS]: waits (at most SECONDS, 120) until no delivery to the subscriptions of that pool is pending. By
# subscription id, along the pending-deliveries index: the poll must not compete with what it waits for
# (joined to events by type it cost 100-200 ms a poll while the queue table's statistics were stale).
drained() {
  local ids
  ids=$(paste -sd, "$WORK/$1.idlist")
  for _ in $(seq 1 $((${2:-120} * 5))); do
    n=$("${PSQL[@]}" -c "select count(*) from delivery d where d.subscription_id = any('{$ids}'::uuid[]) and d.status in ('queued','in_flight')")
    ((n == 0)) && return 0
    sleep 0.2
  done
  log "deliveries to $1 still pending after ${2:-120} s"
}
fi

if want 3; then
log "scenario 3: delivery to a fast local receiver (nginx answering 204)"
# delivery_rate NAME: 300 events published at 100/s, each fanned out to 50 subscriptions (15,000 signed
# deliveries); sets RATE_MEASURED (deliveries/s from the first attempt to the last) and OK (answered 204).
delivery_rate() {
  local n secs
  fanout "$1" 50 "bench.$1"
  quiesce
  publish "bench.$1" 100 8 3 > /dev/null
  drained "$1"
  read -r n secs < <("${PSQL[@]}" -F' ' -c "select count(*), extract(epoch from max(a.attempted_at) - min(a.attempted_at))
      from delivery_attempt a join event e on e.id = a.event_id where e.type = 'bench.$1'")
  RATE_MEASURED=$(awk -v n="$n" -v s="$secs" 'BEGIN {printf "%.1f", (s > 0 ? n / s : 0)}')
  OK=$("${PSQL[@]}" -c "select count(*) from delivery_attempt a join event e on e.id = a.event_id where e.type = 'bench.$1' and a.status_code = 204")
  log "$1: $n deliveries ($OK answered 204) in ${secs}s: $RATE_MEASURED/s"
}
for r in $(seq 1 "$RUNS"); do
  delivery_rate "fan50-$r"
  record delivery "signed deliveries (fan-out 50)" rps "$RATE_MEASURED" "deliveries/s"
  record delivery "signed deliveries (fan-out 50)" "succeeded" "$OK" count
  # Latency: 500 events/s spread over 10 subscriptions (50 events/s each, one event type each),
  # publish -> first attempt. (One subscription alone would be held by its bound of in-flight attempts.)
  fanout "lat-$r" 10 "bench.lat$r" 10
  quiesce
  publish "bench.lat$r" 500 32 "$DURATION" 10 > "$WORK/lat.out"
  lat_rps=$(field rps "$(cat "$WORK/lat.out")")
  record delivery "publish to first attempt at 500 events/s" "publish rate" "$lat_rps" "events/s"
  drained "lat-$r"
  read -r p50 p99 n < <("${PSQL[@]}" -F' ' -c "with first as (
        select e.id, min(a.attempted_at) - e.created_at as wait from event e join delivery_attempt a on a.event_id = e.id
         where e.type like 'bench.lat$r.%' group by e.id, e.created_at)
      select round((extract(epoch from percentile_cont(0.5) within group (order by wait)) * 1000)::numeric, 2),
             round((extract(epoch from percentile_cont(0.99) within group (order by wait)) * 1000)::numeric, 2), count(*) from first")
  record delivery "publish to first attempt at 500 events/s" p50 "$p50" ms
  record delivery "publish to first attempt at 500 events/s" p99 "$p99" ms
  record delivery "publish to first attempt at 500 events/s" events "$n" count
  log "run $r: publish -> first attempt over $n events: p50 ${p50} ms, p99 ${p99} ms"
done

fi

if ((BIG)) && want 4; then
  log "scenario 4: cost as data grows (10 thousand vs 1 million subscriptions, 10 million attempts)"
  "${PSQL[@]}" -c "truncate audit, delivery_attempt, delivery, event, signing_secret" -c "delete from subscription" -c "vacuum analyze subscription, delivery, delivery_attempt, event, audit"
  seed small-filler 10000 1
  for r in $(seq 1 "$RUNS"); do
    seed "small-$r" "$POOL" 3
    line=$(load v1 json "small-$r")
    record growth "10k subscriptions" p50 "$(field p50_ms "$line")" ms
    record growth "10k subscriptions" rps "$(field rps "$line")" "req/s"
    delivery_rate "small-fan-$r"
    record growth "10k subscriptions" deliveries "$RATE_MEASURED" "deliveries/s"
  done
  # Bulk load as PostgreSQL advises: the history table's indexes are dropped for the 10 million rows and
  # built again afterwards (sorted, once), to the same definitions.
  mapfile -t attempt_indexes < <("${PSQL[@]}" -c "select pg_get_indexdef(indexrelid) from pg_index
      where indrelid = 'delivery_attempt'::regclass and not indisprimary")
  "${PSQL[@]}" -c "insert into subscription (id, org_id, name, url, events, content_type, headers, active, version, created_at, created_by, modified_at, modified_by)
      select gen_random_uuid(), '$ORG', 'filler-' || g, 'https://receiver.example.com/f', '{order.created}', 'application/json', '{}', true, 1, now(), 'bench', now(), 'bench'
        from generate_series(1, 1000000) g" \
    -c "alter table delivery_attempt drop constraint delivery_attempt_pkey" \
    -c "$(printf 'drop index %s; ' $("${PSQL[@]}" -c "select indexrelid::regclass from pg_index where indrelid = 'delivery_attempt'::regclass and not indisprimary"))" \
    -c "insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code, status_description, duration_ms)
      select gen_random_uuid(), s.id, gen_random_uuid(), '$ORG', now() - (g || ' minutes')::interval, 200, 'OK', 20
        from (select id from subscription where name like 'filler-%' limit 1000000) s cross join generate_series(1, 10) g" \
    -c "set maintenance_work_mem = '512MB'" -c "alter table delivery_attempt add primary key (id)" \
    "${attempt_indexes[@]/#/-c}" -c "vacuum analyze subscription, delivery_attempt"
  for r in $(seq 1 "$RUNS"); do
    seed "big-$r" "$POOL" 3
    line=$(load v1 json "big-$r")
    record growth "1M subscriptions and 10M attempts" p50 "$(field p50_ms "$line")" ms
    record growth "1M subscriptions and 10M attempts" rps "$(field rps "$line")" "req/s"
    delivery_rate "big-fan-$r"
    record growth "1M subscriptions and 10M attempts" deliveries "$RATE_MEASURED" "deliveries/s"
  done
  id=$(head -1 "$WORK/big-$RUNS.pool" | cut -d, -f1)
  {
    echo "-- the delete core's statement (by id), on 1M subscriptions and 10M attempts"
    "${PSQL[@]}" -c "begin" -c "explain $(java_sql "$CORE" '%s' 's.id = $1 and s.org_id = $6' '$1' "'$id'::uuid" \
      '$2' "'x'" '$3' "'x'" '$4' "'x'" '$5' '100' '$6' "'$ORG'::uuid")" -c "rollback"
    echo
    echo "-- the queue claim (DeliveryClaim), on the same data"
    "${PSQL[@]}" -c "begin" -c "explain $(java_sql "$ROOT/src/main/java/dev/hookhub/delivery/DeliveryRepository.java" \
      '$1' '32' '$2' '4' '$3' '20000' '$4' "'00000000-0000-0000-0000-000000000000'::uuid" '$5' '256' '$6' '30' \
      '$7' "'{}'::uuid[]" '$8' '8388608')" -c "rollback"
    echo
    echo "-- publishing: the fan-out to the org's subscriptions of one event type (EventPublisher)"
    "${PSQL[@]}" -c "explain select s.id from subscription s where s.org_id = '$ORG' and s.deleted_at is null and s.active
        and subscription_event_keys(s.org_id, s.events) @> array['$ORG order.created'] and 'order.created' = any(s.events)"
  } > "$WORK/plans.txt" 2>&1 || true
  cp "$WORK/plans.txt" "$RESULTS/plans.txt"
fi

if want 6; then
  # Scenario 6: one retention purge (POST /v1/admin/retention/purge) of rows past every default retention,
  # seeded with SQL, while v1 deletes run at a fixed rate; the same load without a purge just before it.
  # RETENTION_ATTEMPTS / RETENTION_EVENTS: the scale (10 million attempts and 1 million events, each event
  # with one finished delivery; audit records a tenth of the events); RETENTION_RATE: v1 deletes/s (open
  # loop); RETENTION_BASELINE_S: the load without a purge; RETENTION_MAX_S: the longest load during the purge
  # (its pool is sized for it; wrk is stopped when the purge answers).
  R_ATTEMPTS=${RETENTION_ATTEMPTS:-$((QUICK ? 20000 : 10000000))}
  R_EVENTS=${RETENTION_EVENTS:-$((QUICK ? 2000 : 1000000))}
  R_RATE=${RETENTION_RATE:-500}
  R_BASE_S=${RETENTION_BASELINE_S:-$((QUICK ? 2 : 20))}
  R_MAX_S=${RETENTION_MAX_S:-$((QUICK ? 10 : 600))}
  log "scenario 6: retention purge of $R_ATTEMPTS attempts and $R_EVENTS events with their deliveries, under $R_RATE v1 deletes/s"
  # The old events' deliveries go to a subscription of their own, inactive (nothing claims them).
  R_SUB=$("${PSQL[@]}" -c "insert into subscription (id, org_id, name, url, events, content_type, headers, active,
      version, created_at, created_by, modified_at, modified_by)
    values (gen_random_uuid(), '$ORG', 'retention-target', 'https://receiver.example.com/r', '{bench.retention}',
      'application/json', '{}', false, 1, now(), 'bench', now(), 'bench') returning id" | head -1)
  t0=$(date +%s)
  # Rows past every default retention (30 days; audit 400), inserted in time order as they would have been
  # written. The attempts as scenario 4 loads its 10 million: the table's indexes dropped for the insert and
  # built again after it, to the same definitions.
  mapfile -t attempt_indexes < <("${PSQL[@]}" -c "select pg_get_indexdef(indexrelid) from pg_index
      where indrelid = 'delivery_attempt'::regclass and not indisprimary")
  # The events marked sealed (their bytes are never opened): the payload sealer would otherwise seal a million
  # rows a minute after the start, inside whichever case ran then.
  "${PSQL[@]}" -c "insert into event (id, org_id, type, payload, payload_format, sealed, created_at)
      select gen_random_uuid(), '$ORG', 'bench.retention', convert_to('{\"n\":' || g || '}', 'UTF8'), 'json', true,
             now() - interval '31 days' - ($R_EVENTS - g) * interval '1 second'
        from generate_series(1, $R_EVENTS) g" \
    -c "insert into delivery (id, event_id, subscription_id, org_id, status, attempts, due_at, created_at, completed_at)
      select gen_random_uuid(), e.id, '$R_SUB', '$ORG', 'succeeded', 1, e.created_at, e.created_at,
             e.created_at + interval '1 second'
        from event e where e.type = 'bench.retention' order by e.created_at" \
    -c "insert into audit (org_id, action, actor, surface, at)
      select '$ORG', 'bench.retention', 'bench', 'bench', now() - interval '401 days' - ($R_EVENTS / 10 - g) * interval '1 second'
        from generate_series(1, $R_EVENTS / 10) g" \
    -c "alter table delivery_attempt drop constraint delivery_attempt_pkey" \
    -c "$(printf 'drop index %s; ' $("${PSQL[@]}" -c "select indexrelid::regclass from pg_index where indrelid = 'delivery_attempt'::regclass and not indisprimary"))" \
    -c "insert into delivery_attempt (id, delivery_id, subscription_id, event_id, org_id, attempted_at, status_code,
        status_description, duration_ms)
      select gen_random_uuid(), null, '$R_SUB', gen_random_uuid(), '$ORG',
             now() - interval '31 days' - ($R_ATTEMPTS - g) * interval '100 milliseconds', 200, 'OK', 20
        from generate_series(1, $R_ATTEMPTS) g" \
    -c "set maintenance_work_mem = '512MB'" -c "alter table delivery_attempt add primary key (id)" \
    "${attempt_indexes[@]/#/-c}" -c "vacuum analyze event, delivery, delivery_attempt, audit, subscription"
  log "seeded in $(( $(date +%s) - t0 )) s"
  if ! want 1; then
    # Alone, the service is not warmed up by scenario 1: 10 s of v1 deletes at full speed first, not recorded.
    seed retention-warm "$((QUICK ? 2000 : 40000))" 0
    DURATION=$((QUICK ? 2 : 10)) load v1 json retention-warm > /dev/null
  fi
  seed retention-base "$((R_RATE * R_BASE_S * 11 / 10))" 0
  seed retention-during "$((R_RATE * R_MAX_S * 11 / 10))" 0
  # Rows past each table's default retention, before and after (the deletes of the load add tombstones and
  # audit records of now, which stay); deliveries all of them (the load's subscriptions have none). The
  # purge's own answer counts what its statements deleted: a delivery that goes with its event is not in it.
  table_rows() {
    "${PSQL[@]}" -F' ' -c "select (select count(*) from event where created_at < now() - interval '30 days'),
        (select count(*) from delivery), (select count(*) from delivery_attempt where attempted_at < now() - interval '30 days'),
        (select count(*) from subscription where deleted_at < now() - interval '30 days'),
        (select count(*) from audit where at < now() - interval '400 days')"
  }
  line=$(DURATION=$R_BASE_S load v1 json retention-base "$R_RATE")
  base_p99=$(field p99_ms "$line")
  record retention "v1 deletes without purge" p99 "$base_p99" ms
  record retention "v1 deletes without purge" rps "$(field rps "$line")" "req/s"
  log "without purge: $line"
  read -r ev0 de0 at0 tb0 au0 < <(table_rows)
  quiesce
  DIALECT=v1 FORMAT=json POOL="$WORK/retention-during.pool" RATE=$R_RATE THREADS=$THREADS CONNECTIONS=$CONNECTIONS \
    TOKEN="$TOKEN" APIKEY="$APIKEY" ORG="$ORG" TENANT="$TENANT" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${R_MAX_S}s" --timeout 5s -s "$ROOT/bench/lua/delete.lua" "$B" > "$WORK/retention-wrk.out" &
  wrk_pid=$!
  sleep 1
  t0=$(date +%s%N)
  purge_status=$(curl -s -o "$WORK/purge.json" -w '%{http_code}' --max-time "$((R_MAX_S * 3))" -X POST \
    "$B/v1/admin/retention/purge" -H "$ADMIN")
  t1=$(date +%s%N)
  sleep 1
  if kill -0 "$wrk_pid" 2>/dev/null; then
    kill -INT "$wrk_pid"
  else
    log "the purge outlasted the load (RETENTION_MAX_S=$R_MAX_S): the p99 during the purge covers only its first ${R_MAX_S} s"
  fi
  wait "$wrk_pid" || true
  line=$(grep '^RESULT' "$WORK/retention-wrk.out" || true)
  read -r ev1 de1 at1 tb1 au1 < <(table_rows)
  purge_ms=$(( (t1 - t0) / 1000000 ))
  [[ "$purge_status" == 200 ]] || { log "the purge answered $purge_status: $(cat "$WORK/purge.json")"; }
  answer() { python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print($1)" "$WORK/purge.json" 2>/dev/null || echo 0; }
  record retention "purge" "time" "$purge_ms" ms
  record retention "purge" "elapsedMs answered" "$(answer "a['elapsedMs']")" ms
  record retention "purge" "status" "$purge_status" code
  for t in events deliveries attempts tombstones auditRecords; do
    record retention "purge answered" "$t" "$(answer "a['removed']['$t']")" rows
  done
  record retention "rows removed" events $((ev0 - ev1)) rows
  record retention "rows removed" deliveries $((de0 - de1)) rows
  record retention "rows removed" attempts $((at0 - at1)) rows
  record retention "rows removed" tombstones $((tb0 - tb1)) rows
  record retention "rows removed" audit $((au0 - au1)) rows
  record retention "rows seeded" attempts "$R_ATTEMPTS" rows
  record retention "rows seeded" events "$R_EVENTS" rows
  record retention "v1 deletes during purge" p99 "$(field p99_ms "$line")" ms
  record retention "v1 deletes during purge" p50 "$(field p50_ms "$line")" ms
  record retention "v1 deletes during purge" rps "$(field rps "$line")" "req/s"
  record retention "v1 deletes during purge" non2xx "$(field non2xx "$line")" count
  log "purge: HTTP $purge_status in ${purge_ms} ms: $(cat "$WORK/purge.json")"
  log "rows removed: events $((ev0 - ev1)), deliveries $((de0 - de1)), attempts $((at0 - at1)), tombstones $((tb0 - tb1)), audit $((au0 - au1))"
  log "v1 deletes at ${R_RATE}/s: p99 ${base_p99} ms without purge, $(field p99_ms "$line") ms during it (target <= 25 ms); during: $line"
fi

if want 7; then
log "scenario 7: offboarding a large org while another org's deliveries run"
# An org of OFF_SUBSCRIPTIONS subscriptions (each with a secret and an attempt) and OFF_EVENTS events (each with a
# delivered delivery; marked sealed, so that the payload sealer leaves them alone), seeded with SQL; the delivery org publishes 20 events/s to 50 subscriptions (1,000
# deliveries/s offered) from 20 s before the DELETE until the offboarding completed.
OFF_SUBSCRIPTIONS=${OFF_SUBSCRIPTIONS:-$((QUICK ? 2000 : 100000))}
OFF_EVENTS=${OFF_EVENTS:-$((QUICK ? 20000 : 1000000))}
OFF_ORG=$(curl -fs -X POST "$B/v1/admin/orgs" -H "$ADMIN" -H 'Content-Type: application/json' -d '{"name":"bench-offboarded"}' | json "['id']")
"${PSQL[@]}" \
  -c "insert into subscription (id, org_id, name, url, events, content_type, created_at, created_by, modified_at, modified_by)
      select gen_random_uuid(), '$OFF_ORG', 'off-' || n, 'https://receiver.example.com/' || n, array['off.type'],
             'application/json', now(), 'seed', now(), 'seed' from generate_series(1, $OFF_SUBSCRIPTIONS) n" \
  -c "insert into signing_secret (id, subscription_id, key_id, ciphertext)
      select gen_random_uuid(), s.id, 'whk_' || replace(s.id::text, '-', ''), '\\x00'::bytea from subscription s where s.org_id = '$OFF_ORG'" \
  -c "insert into event (id, org_id, type, payload, payload_format, sealed, created_at)
      select gen_random_uuid(), '$OFF_ORG', 'off.type', convert_to('{\"n\":' || n || '}', 'UTF8'), 'json', true,
             now() - n * interval '1 millisecond' from generate_series(1, $OFF_EVENTS) n" \
  -c "insert into delivery (id, event_id, subscription_id, org_id, status, attempts, completed_at)
      select gen_random_uuid(), e.id, s.id, e.org_id, 'succeeded', 1, now()
        from (select id, org_id, row_number() over (order by id) as r from event where org_id = '$OFF_ORG') e
        join (select id, row_number() over (order by id) as r from subscription where org_id = '$OFF_ORG') s
          on s.r = (e.r - 1) % $OFF_SUBSCRIPTIONS + 1" \
  -c "insert into delivery_attempt (id, subscription_id, event_id, org_id, attempted_at, status_code, status_description, duration_ms)
      select gen_random_uuid(), s.id, gen_random_uuid(), s.org_id, now(), 200, 'OK', 5 from subscription s where s.org_id = '$OFF_ORG'"
"${PSQL[@]}" -c "vacuum analyze subscription, signing_secret, event, delivery, delivery_attempt" >/dev/null
fanout off-load 50 bench.offload
quiesce
publish bench.offload 20 4 3600 > /dev/null &
PUBLISHER=$!
# 20 s of load first (the receiver's connections, the JIT), the last 10 s of it measured as "before".
sleep 20
t1=$(date +%s.%N)
code=$(curl -s -o "$WORK/offboard.json" -w '%{http_code}' -X DELETE "$B/v1/admin/orgs/$OFF_ORG" -H "$ADMIN")
log "DELETE answered $code: $(cat "$WORK/offboard.json")"
for _ in $(seq 1 72000); do
  status=$(curl -fs "$B/v1/admin/orgs/$OFF_ORG/offboarding" -H "$ADMIN" | json "['status']")
  [[ "$status" == completed ]] && break
  sleep 0.5
done
t2=$(date +%s.%N)
stop_publisher
curl -fs "$B/v1/admin/orgs/$OFF_ORG/offboarding" -H "$ADMIN" > "$WORK/offboarded.json"
log "offboarding: $(cat "$WORK/offboarded.json")"
t0=$(awk -v a="$t1" 'BEGIN {printf "%.3f", a - 10}')
rate() { # rate FROM TO: the delivery org's attempts per second between two unix times
  "${PSQL[@]}" -c "select round(count(*) / ($2 - $1)::numeric, 1) from delivery_attempt a join event e on e.id = a.event_id
      where e.type = 'bench.offload' and a.attempted_at >= to_timestamp($1) and a.attempted_at < to_timestamp($2)"
}
before=$(rate "$t0" "$t1"); during=$(rate "$t1" "$t2")
ms=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.0f", (b - a) * 1000}')
log "offboarded $OFF_SUBSCRIPTIONS subscriptions and $OFF_EVENTS events in $ms ms; the other org's deliveries/s: $before before, $during during"
record offboarding "$OFF_SUBSCRIPTIONS subscriptions and $OFF_EVENTS events" time "$ms" ms
record offboarding "$OFF_SUBSCRIPTIONS subscriptions and $OFF_EVENTS events" "other org deliveries before" "$before" "deliveries/s"
record offboarding "$OFF_SUBSCRIPTIONS subscriptions and $OFF_EVENTS events" "other org deliveries during" "$during" "deliveries/s"
fi

if want 8 || want 9; then
# What scenarios 8 and 9 measure beside their figures, to say what limits them.
# cpu_snapshot: "wall_ms service postgres receiver wrk busy total" in clock ticks (busy and total: the whole machine,
# all cores). postgres: this run's database's backends and the cluster's own processes (not other databases' backends).
cpu_snapshot() {
  python3 - "$SERVICE_PID" "${RECEIVER_PID:-0}" "$DB" <<'PY'
import os, sys, time
svc, recv, db = sys.argv[1:4]
t = dict(service=0, postgres=0, receiver=0, wrk=0)
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        stat = open(f'/proc/{pid}/stat').read()
        comm, rest = stat[stat.index('(') + 1:stat.rindex(')')], stat[stat.rindex(')') + 2:].split()
        ticks = int(rest[11]) + int(rest[12])  # utime + stime
        if pid == svc: t['service'] += ticks
        elif pid == recv: t['receiver'] += ticks
        elif comm == 'wrk': t['wrk'] += ticks
        elif comm == 'postgres':
            cmd = open(f'/proc/{pid}/cmdline').read().replace('\0', ' ')
            if f' {db} ' in cmd or f' {db}\n' in cmd or ('(' not in cmd and '[local]' not in cmd):
                t['postgres'] += ticks
    except (OSError, ValueError, IndexError):
        pass
cpu = [int(x) for x in open('/proc/stat').readline().split()[1:]]
total = sum(cpu[:8]); busy = total - cpu[3] - cpu[4]
print(int(time.time() * 1000), t['service'], t['postgres'], t['receiver'], t['wrk'], busy, total)
PY
}
# cpu_cores BEFORE AFTER [DELIVERIES]: "service=0.81 postgres=0.66 receiver=0.10 wrk=0.01 machine=1.93" (cores used between
# the snapshots; machine: every process, of the machine's cores) and, given DELIVERIES, the service's and PostgreSQL's
# CPU per delivery (us).
cpu_cores() {
  awk -v hz="$(getconf CLK_TCK)" -v n="$3" -v a="$1" -v b="$2" 'BEGIN {
    split(a, x, " "); split(b, y, " "); s = (y[1] - x[1]) / 1000; if (s <= 0) s = 1
    printf "service=%.2f postgres=%.2f receiver=%.2f wrk=%.2f machine=%.2f",
      (y[2]-x[2])/hz/s, (y[3]-x[3])/hz/s, (y[4]-x[4])/hz/s, (y[5]-x[5])/hz/s, (y[6]-x[6])/hz/s
    if (n > 0) printf " service_us=%.0f postgres_us=%.0f", (y[2]-x[2])/hz/n*1e6, (y[3]-x[3])/hz/n*1e6
    printf "\n" }'
}
# record_cpu SCENARIO CASE "service=... ...": each as a metric in cores, the per-delivery ones in us.
record_cpu() {
  local kv
  for kv in $3; do
    case ${kv%%=*} in
      *_us) record "$1" "$2" "cpu per delivery ${kv%%_us=*}" "${kv#*=}" us ;;
      *) record "$1" "$2" "cpu ${kv%%=*}" "${kv#*=}" cores ;;
    esac
  done
}
# sampler_start NAME SQL: runs SQL every 200 ms on one connection (psql's \watch) into $WORK/NAME.samples;
# sampler_stop stops it. The service's peak resident memory is reset with it (clear_refs 5: VmHWM starts again from
# the current RSS) and read by peak_rss_mb; without that reset it is the peak since the service started.
SAMPLER_PID=
sampler_start() {
  "${PSQL[@]}" -F' ' <<< "$2 \\watch 0.2" > "$WORK/$1.samples" 2>/dev/null &
  SAMPLER_PID=$!
  echo 5 2>/dev/null > "/proc/$SERVICE_PID/clear_refs" || log "cannot reset the service's peak RSS: the peak is since its start"
  RSS_BEFORE=$(rss_mb)
}
# record_rss SCENARIO CASE: the service's RSS before the case and its peak during it, and the parts of its RSS now.
record_rss() {
  local kv
  record "$1" "$2" "rss before" "$RSS_BEFORE" MB
  record "$1" "$2" "rss peak" "$(peak_rss_mb)" MB
  for kv in $(rss_parts); do record "$1" "$2" "rss at the end ${kv%%=*}" "${kv#*=}" MB; done
}
sampler_stop() { [[ -n "$SAMPLER_PID" ]] || return 0; kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=; }
peak_rss_mb() { awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "/proc/$SERVICE_PID/status"; }
# rss_parts: what the service's resident memory is made of now, "heap=.. classes=.. other=.." (MB): the Java heap (its
# address range from jcmd GC.heap_info), the class data mapped from the AOT cache or the JDK's CDS archive, and the rest
# (code cache, metaspace, thread stacks, malloc). The heap's share is what -Xmx bounds; the rest is the JVM's own.
rss_parts() {
  python3 - "$SERVICE_PID" <<PY 2>/dev/null || echo "heap=0 classes=0 other=0"
import re, sys
info = """$("$JCMD" "$SERVICE_PID" GC.heap_info 2>/dev/null)"""
ranges = [(int(a, 16), int(b, 16)) for a, b in re.findall(r'\[(0x[0-9a-f]+), 0x[0-9a-f]+, (0x[0-9a-f]+)\)', info)]
lo, hi = (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else (0, 0)
parts = dict(heap=0, classes=0, other=0); kind = 'other'
for line in open(f'/proc/{sys.argv[1]}/smaps'):
    m = re.match(r'^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$', line)
    if m:
        start, name = int(m.group(1), 16), m.group(3)
        kind = 'heap' if lo <= start < hi else 'classes' if name.endswith(('.aot', '.jsa')) else 'other'
    elif line.startswith('Rss:'):
        parts[kind] += int(line.split()[1])
print(' '.join(f'{k}={v // 1024}' for k, v in parts.items()))
PY
}
# column_max FILE COLUMN: the largest value of a column of the samples
column_max() { awk -v c="$2" '$c + 0 > m {m = $c + 0} END {print m + 0}' "$1"; }
# log_lines_since N: lines the service logged (WARN and above) past its first N
log_lines_since() { echo $(( $(wc -l < "$WORK/service.log") - $1 )); }
# warm_publish: one event of a type no subscription has, answered before a case starts: the first publish after a
# start (the token's check, the org's data key, code not yet compiled) took longer than a 2-second publisher's run.
warm_publish() {
  curl -fs -o /dev/null --max-time 30 -X POST "$B/v1/events" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"type":"bench.warm","payload":{"warm":true}}' || log "the warm-up publish failed"
}
receiver() { curl -fs -X "${2:-GET}" "http://127.0.0.1:$SLOW_PORT/$1"; }
stat_of() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$2"; }
fi

if want 8; then
# Scenario 8: slow receivers. SLOW_SUBSCRIPTIONS subscriptions (1,000) whose receiver answers 204 after SLOW_DELAY_MS
# (100), SLOW_EVENTS events (50) fanned out to all of them (50,000 signed deliveries), published in 2 s. Measured:
# deliveries/s from the first attempt to the last, how many succeeded, the attempts in flight (the delivery table,
# every 200 ms), the service's peak RSS, and the CPU of each process over the case.
S8_SUBS=${SLOW_SUBSCRIPTIONS:-$((QUICK ? 50 : 1000))}
S8_EVENTS=${SLOW_EVENTS:-$((QUICK ? 4 : 50))}
S8_DELAY=${SLOW_DELAY_MS:-100}
S8_CASE="$S8_EVENTS events x $S8_SUBS subscriptions answering after $S8_DELAY ms"
log "scenario 8: slow receivers: $S8_CASE; $BENCH_DELIVERY_SETTINGS"
for r in $(seq 1 "$RUNS"); do
  fanout "slow-$r" "$S8_SUBS" "bench.slow$r" 1 "http://127.0.0.1:$SLOW_PORT/slow/$S8_DELAY"
  warm_publish
  quiesce
  receiver reset POST
  sampler_start "slow-$r" "select extract(epoch from clock_timestamp())::numeric(16,3), count(*)
      from delivery d join subscription s on s.id = d.subscription_id where d.status = 'in_flight' and s.url like '%/slow/%'"
  c0=$(cpu_snapshot); l0=$(log_lines_since 0)
  publish "bench.slow$r" "$(( (S8_EVENTS + 1) / 2 ))" 4 2 > "$WORK/slow-publish.out"
  drained "slow-$r" 600
  c1=$(cpu_snapshot)
  sampler_stop
  stats=$(receiver stats)
  read -r n ok secs < <("${PSQL[@]}" -F' ' -c "select count(*), count(*) filter (where a.status_code = 204),
        coalesce(extract(epoch from max(a.attempted_at) - min(a.attempted_at)), 0)
      from delivery_attempt a join event e on e.id = a.event_id where e.type = 'bench.slow$r'")
  rate=$(awk -v n="$n" -v s="$secs" 'BEGIN {printf "%.1f", (s > 0 ? n / s : 0)}')
  # Where an attempt's time in flight goes (Little's law: deliveries/s = attempts in flight / time in flight each):
  # the attempt itself (the receiver's delay and the request) and the recording after it (completed_at - the
  # attempt's end); the rest of a slot's time is waiting for the next claim.
  read -r attempt_ms record_ms < <("${PSQL[@]}" -F' ' -c "select coalesce(round(avg(a.duration_ms), 1), 0),
        coalesce(round(avg(extract(epoch from d.completed_at - a.attempted_at) * 1000 - a.duration_ms)::numeric, 1), 0)
      from delivery_attempt a join delivery d on d.id = a.delivery_id join event e on e.id = a.event_id where e.type = 'bench.slow$r'")
  mean_in_flight=$(awk '$2 > 0 {s += $2; n++} END {printf "%.0f", n ? s / n : 0}' "$WORK/slow-$r.samples")
  peak=$(column_max "$WORK/slow-$r.samples" 2)
  rss=$(peak_rss_mb)
  cpu=$(cpu_cores "$c0" "$c1" "$n")
  record slow "$S8_CASE" rps "$rate" "deliveries/s"
  record slow "$S8_CASE" attempts "$n" count
  record slow "$S8_CASE" succeeded "$ok" count
  record slow "$S8_CASE" "in flight peak" "$peak" count
  record slow "$S8_CASE" "in flight mean" "$mean_in_flight" count
  record slow "$S8_CASE" "attempt duration mean" "$attempt_ms" ms
  record slow "$S8_CASE" "recording after the attempt mean" "$record_ms" ms
  record slow "$S8_CASE" "receiver open peak" "$(stat_of openPeak "$stats")" count
  record slow "$S8_CASE" "receiver connections peak" "$(stat_of connectionsPeak "$stats")" count
  record_rss slow "$S8_CASE"
  record_cpu slow "$S8_CASE" "$cpu"
  if ((NMT)); then
    { "$JCMD" "$SERVICE_PID" VM.native_memory summary; "$JCMD" "$SERVICE_PID" GC.heap_info; } > "$RESULTS/nmt-slow-$r.txt" 2>&1
    cp "/proc/$SERVICE_PID/smaps" "$RESULTS/smaps-slow-$r.txt"
  fi
  record slow "$S8_CASE" "load average" "$(cut -d' ' -f1 /proc/loadavg)" load
  record slow "$S8_CASE" "service log lines" "$(log_lines_since "$l0")" count
  log "run $r: slow receivers: $n attempts ($ok answered 204) in ${secs}s: $rate/s; in flight peak $peak, mean $mean_in_flight; attempt $attempt_ms ms + recording $record_ms ms (receiver: $(stat_of openPeak "$stats") open, $(stat_of connectionsPeak "$stats") connections); peak RSS $rss MB; cores $cpu"
done
fi

if want 9; then
# Scenario 9: hanging endpoints beside healthy ones. HANG_SUBSCRIPTIONS (100) subscriptions whose receiver never
# answers (the service's attempt deadline, hookhub.delivery.timeout, closes the connection) and as many answering 204
# at once, each pair of one event type of its own (TYPE.0 .. TYPE.99); HANG_RATE events/s (500) for HANG_SECONDS (20),
# each to one hanging and one healthy subscription. Measured: the healthy subscriptions' publish -> first attempt
# p50 and p99, and the hanging ones' attempts in flight (the delivery table every 200 ms, and the receiver's count).
S9_PAIRS=${HANG_SUBSCRIPTIONS:-$((QUICK ? 5 : 100))}
S9_RATE=${HANG_RATE:-$((QUICK ? 50 : 500))}
S9_SECONDS=${HANG_SECONDS:-$((QUICK ? 3 : 20))}
S9_CASE="$S9_PAIRS hanging + $S9_PAIRS healthy subscriptions at $S9_RATE events/s"
log "scenario 9: hanging endpoints: $S9_CASE for $S9_SECONDS s; $BENCH_DELIVERY_SETTINGS"
for r in $(seq 1 "$RUNS"); do
  fanout "hang-$r" "$S9_PAIRS" "bench.hang$r" "$S9_PAIRS" "http://127.0.0.1:$SLOW_PORT/hang"
  fanout "healthy-$r" "$S9_PAIRS" "bench.hang$r" "$S9_PAIRS" "http://127.0.0.1:$SLOW_PORT/ok"
  warm_publish
  quiesce
  receiver reset POST
  sampler_start "hang-$r" "select extract(epoch from clock_timestamp())::numeric(16,3),
      count(*) filter (where s.url like '%/hang'), count(*) filter (where s.url like '%/ok')
      from delivery d join subscription s on s.id = d.subscription_id where d.status = 'in_flight'"
  c0=$(cpu_snapshot); l0=$(log_lines_since 0)
  publish "bench.hang$r" "$S9_RATE" 32 "$S9_SECONDS" "$S9_PAIRS" > "$WORK/hang-publish.out"
  c1=$(cpu_snapshot)
  stats=$(receiver stats)
  drained "healthy-$r" 120
  sampler_stop
  types="(e.type = 'bench.hang$r' or e.type like 'bench.hang$r.%')"
  read -r p50 p99 events < <("${PSQL[@]}" -F' ' -c "with first as (
        select e.id, min(a.attempted_at) - e.created_at as wait
          from event e join delivery_attempt a on a.event_id = e.id join subscription s on s.id = a.subscription_id
         where $types and s.url like '%/ok' group by e.id, e.created_at)
      select coalesce(round((extract(epoch from percentile_cont(0.5) within group (order by wait)) * 1000)::numeric, 2), 0),
             coalesce(round((extract(epoch from percentile_cont(0.99) within group (order by wait)) * 1000)::numeric, 2), 0),
             count(*) from first")
  published=$("${PSQL[@]}" -c "select count(*) from event e where $types")
  pub_rps=$(field rps "$(cat "$WORK/hang-publish.out")")
  hang_peak=$(column_max "$WORK/hang-$r.samples" 2)
  healthy_peak=$(column_max "$WORK/hang-$r.samples" 3)
  cpu=$(cpu_cores "$c0" "$c1" 0)
  record hanging "$S9_CASE" "publish rate" "$pub_rps" "events/s"
  record hanging "$S9_CASE" "events" "$published" count
  record hanging "$S9_CASE" "healthy first attempts" "$events" count
  record hanging "$S9_CASE" "healthy p50" "$p50" ms
  record hanging "$S9_CASE" "healthy p99" "$p99" ms
  record hanging "$S9_CASE" "hanging in flight peak" "$hang_peak" count
  record hanging "$S9_CASE" "healthy in flight peak" "$healthy_peak" count
  record hanging "$S9_CASE" "receiver hanging peak" "$(stat_of hangingPeak "$stats")" count
  record hanging "$S9_CASE" "receiver connections peak" "$(stat_of connectionsPeak "$stats")" count
  record_rss hanging "$S9_CASE"
  record_cpu hanging "$S9_CASE" "$cpu"
  record hanging "$S9_CASE" "load average" "$(cut -d' ' -f1 /proc/loadavg)" load
  record hanging "$S9_CASE" "service log lines" "$(log_lines_since "$l0")" count
  log "run $r: hanging endpoints: $published events at $pub_rps/s; healthy publish -> first attempt over $events events: p50 ${p50} ms, p99 ${p99} ms; hanging in flight peak $hang_peak (receiver: $(stat_of hangingPeak "$stats") held), healthy $healthy_peak; peak RSS $(peak_rss_mb) MB; cores during the load $cpu"
  # The hanging subscriptions are let go before the next run: deactivated, their queued deliveries cancelled, and the
  # receiver closes the requests it holds (the attempts fail at once instead of at their deadline).
  hang_ids=$(paste -sd, "$WORK/hang-$r.idlist")
  "${PSQL[@]}" -c "update subscription set active = false where id = any('{$hang_ids}'::uuid[])"
  receiver release POST > /dev/null
  # The released attempts are recorded before the next run (or the service's stop: an attempt recorded after the
  # shutdown began logs an ERROR, "Error Occurred After Shutdown", and its delivery waits for its lease to end);
  # then their retries, queued again, are cancelled with the rest: the claim would step over these subscriptions
  # in every later run.
  for _ in $(seq 1 50); do
    (( $("${PSQL[@]}" -c "select count(*) from delivery where subscription_id = any('{$hang_ids}'::uuid[]) and status = 'in_flight'") == 0 )) && break
    sleep 0.2
  done
  "${PSQL[@]}" -c "update delivery set status = 'cancelled', completed_at = now() where subscription_id = any('{$hang_ids}'::uuid[]) and status = 'queued'"
done
fi

stop_service

# ---- results ---------------------------------------------------------------------------------------
report
log "wrote $RESULTS/latest.md, latest.csv and latest.png"
if ((QUICK)); then
  # Smoke mode asserts that every scenario ran and answered, not how fast.
  python3 - "$RESULTS/latest.csv" "${#DIALECTS[@]}" "$SCENARIOS" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ran = sys.argv[3].split()
def metric(scenario, name):
    return [float(r['value']) for r in rows if r['scenario'] == scenario and r['metric'] == name]
if '1' in ran:
    deletes = [r for r in rows if r['scenario'] == 'delete' and r['metric'] == 'rps' and not r['case'].startswith('pgbench')]
    assert len(deletes) >= 2 * int(sys.argv[2]), 'not every dialect ran'
    assert all(float(r['value']) > 0 for r in deletes), 'a dialect served nothing'
if '5' in ran:
    starts = [r for r in rows if r['scenario'] == 'startup' and r['case'] == 'time to ready']
    assert starts and all(float(r['value']) > 0 for r in starts), 'no start-up was timed'
if '8' in ran:
    attempts, ok = metric('slow', 'attempts'), metric('slow', 'succeeded')
    assert attempts and all(a > 0 for a in attempts), 'scenario 8 delivered nothing'
    assert ok == attempts, 'scenario 8: not every attempt to a slow receiver succeeded: %s of %s' % (ok, attempts)
    assert all(p > 0 for p in metric('slow', 'in flight peak')), 'scenario 8 saw no attempt in flight'
    assert all(m > 0 for m in metric('slow', 'rss peak')), 'scenario 8 read no peak RSS'
if '9' in ran:
    assert metric('hanging', 'healthy first attempts') and all(n > 0 for n in metric('hanging', 'healthy first attempts')), \
        'scenario 9: no healthy subscription was attempted'
    assert all(p > 0 for p in metric('hanging', 'receiver hanging peak')), 'scenario 9: the receiver held no hanging request'
    assert all(p > 0 for p in metric('hanging', 'hanging in flight peak')), 'scenario 9 saw no hanging attempt in flight'

print('bench smoke: %d measurements' % len(rows))
PY
fi
