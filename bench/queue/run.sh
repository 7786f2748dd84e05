#!/usr/bin/env bash
# Queue throughput on PostgreSQL: REPLICAS server processes (Release) on one fresh database, a trivial workflow
# published on a route that answers 202 at once (`respond: immediately`: each request queues one run), wrk against
# every replica for DURATION_S seconds, then the queue drains. Measured from the execution rows: runs/s (completed
# runs over first start to last end), and p50/p99 from enqueue to start; then each replica's CPU while idle.
#
#   bench/queue/run.sh            REPLICAS=1|2 (default 1) CONNS (per replica, default 32) DURATION_S (default 10)
#                                 IDLE_S (default 30) CONCURRENCY (Queue:Concurrency, default 64) RATE (default: unpaced)
#                                 SKIP_BUILD=1
#
# Needs PLEXUS_PG (else starts a throwaway PostgreSQL with scripts/pg-start.sh). Prints one TSV line with a header.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
. scripts/env.sh
REPLICAS=${REPLICAS:-1} CONNS=${CONNS:-32} DURATION_S=${DURATION_S:-10} IDLE_S=${IDLE_S:-30} CONCURRENCY=${CONCURRENCY:-64}
case $REPLICAS in 1|2) ;; *) echo "run.sh: REPLICAS must be 1 or 2, not '$REPLICAS'" >&2; exit 2 ;; esac
RATE=${RATE:-}
case $RATE in ''|[1-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-9][0-9][0-9][0-9]) ;; *) echo "run.sh: RATE must be a whole number of requests/s from 1 to 9999, not '$RATE'" >&2; exit 2 ;; esac
log() { echo "[queue] $*" >&2; }
for tool in wrk curl jq psql; do command -v "$tool" >/dev/null || { echo "run.sh: needs $tool" >&2; exit 2; }; done

WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/plexus-queue.XXXXXX")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building Release"
  dotnet build src/Plexus.Server -c Release -v quiet -nologo >"$WORKDIR/build.log" 2>&1 || { cat "$WORKDIR/build.log" >&2; exit 1; }
fi
SERVER_DLL=$ROOT/src/Plexus.Server/bin/Release/net10.0/Plexus.Server.dll

PG_STARTED=0
if [ -z "${PLEXUS_PG:-}" ]; then eval "$(scripts/pg-start.sh)"; PG_STARTED=1; fi
pg_field() { tr ';' '\n' <<<"$PLEXUS_PG" | sed -n "s/^$1=//Ip" | head -1; }
psql_on() { PGPASSWORD=$(pg_field Password) psql -h "$(pg_field Host)" -p "$(pg_field Port)" -U "$(pg_field Username)" -d "$1" -qAt "${@:2}"; }
DATABASE=plexus_queue_$(date +%s)
psql_on postgres -c "CREATE DATABASE \"$DATABASE\"" >/dev/null
CONNECTION="$(sed -E 's/(^|;)Database=[^;]*//I' <<<"$PLEXUS_PG");Database=$DATABASE"

PIDS=() BASES=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql_on postgres -c "DROP DATABASE IF EXISTS \"$DATABASE\" WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$PG_STARTED" = 1 ]; then scripts/pg-stop.sh || true; fi
}
trap cleanup EXIT

for r in $(seq 1 "$REPLICAS"); do
  port=$(scripts/free-port.sh $((18400 + r * 10)))
  base=http://127.0.0.1:$port
  ASPNETCORE_ENVIRONMENT=Production Queue__Concurrency=$CONCURRENCY dotnet "$SERVER_DLL" --Urls "$base" \
    --Database:Provider postgres --Database:ConnectionString "$CONNECTION" >"$WORKDIR/replica-$r.log" 2>&1 &
  PIDS+=($!) BASES+=("$base")
  for i in $(seq 1 120); do
    curl -sf -m 2 "$base/health/ready" >/dev/null 2>&1 && break
    [ "$i" = 120 ] && { echo "run.sh: replica $r not ready; log:" >&2; tail -20 "$WORKDIR/replica-$r.log" >&2; exit 1; }
    sleep 0.5
  done
done
log "replicas: ${BASES[*]}"

API=${BASES[0]}/api/v1
json() { curl -sf -m 10 -H 'content-type: application/json' "$@"; }
SIGNUP=$(json "$API/auth/signup" -d '{"email":"queue@example.com","password":"bench password 1","name":"Bench"}')
TOKEN=$(jq -r .accessToken <<<"$SIGNUP") ORG=$(jq -r .organization.id <<<"$SIGNUP")
AUTH="authorization: Bearer $TOKEN"
PROJECT=$(json "$API/orgs/$ORG/projects" -H "$AUTH" -d '{"name":"Queue","slug":"queue"}' | jq -r .id)
DOCUMENT='{"schema":"plexus/workflow@1","name":"trivial","nodes":[{"id":"hook","type":"http.trigger","settings":{"method":"POST","path":"/q","respond":"immediately"}},{"id":"done","type":"flow.return","settings":{"value":"={{ input.body }}"}}],"edges":[{"from":"hook","to":"done"}]}'
WORKFLOW=$(json "$API/projects/$PROJECT/workflows" -H "$AUTH" -d "{\"name\":\"trivial\",\"document\":$DOCUMENT}" | jq -r .id)
VERSION=$(curl -sf -m 10 -X POST "$API/workflows/$WORKFLOW/versions" -H "$AUTH" | jq -r .version)
json "$API/workflows/$WORKFLOW/publish" -H "$AUTH" -d "{\"stage\":\"prod\",\"version\":$VERSION}" >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' -m 10 -X POST "${BASES[0]}/p/queue/prod/q" -H 'content-type: application/json' -d '{"n":1}')
[ "$code" = 202 ] || { echo "run.sh: POST /p/queue/prod/q answered $code, expected 202" >&2; exit 1; }
sleep 2
# Only the runs queued by wrk count: the check above ran 2 s earlier and would stretch the time the runs took.
SINCE=$(psql_on "$DATABASE" -c "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")

cat >"$WORKDIR/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"n":1}'
wrk.headers["Content-Type"] = "application/json"
LUA
if [ -n "$RATE" ]; then
  # Each connection waits CONNS/RATE seconds before each request: about RATE requests/s per replica in all (a little
  # less, by the answer's own time; the rate reached is what the result reports).
  echo "function delay() return $(awk -v c="$CONNS" -v r="$RATE" 'BEGIN { printf "%d", c * 1000 / r }') end" >>"$WORKDIR/post.lua"
fi
log "wrk: ${CONNS} connections per replica for ${DURATION_S}s${RATE:+, paced to about $RATE requests/s per replica}"
WRK_PIDS=()
for r in $(seq 1 "$REPLICAS"); do
  wrk -t1 -c"$CONNS" -d"${DURATION_S}s" -s "$WORKDIR/post.lua" "${BASES[$((r - 1))]}/p/queue/prod/q" >"$WORKDIR/wrk-$r.txt" 2>&1 &
  WRK_PIDS+=($!)
done
for pid in "${WRK_PIDS[@]}"; do wait "$pid"; done
ACCEPTED_RPS=0
for r in $(seq 1 "$REPLICAS"); do
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORKDIR/wrk-$r.txt")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORKDIR/wrk-$r.txt"); non2xx=${non2xx:-0}
  [ "$non2xx" = 0 ] || log "replica $r: $non2xx answers were not 2xx"
  ACCEPTED_RPS=$(awk -v a="$ACCEPTED_RPS" -v b="$rps" 'BEGIN { printf "%.0f", a + b }')
done

log "draining"
for i in $(seq 1 240); do
  left=$(psql_on "$DATABASE" -c "SELECT count(*) FROM \"Executions\" WHERE \"Status\" IN ('queued','running')")
  [ "$left" = 0 ] && break
  [ "$i" = 240 ] && { echo "run.sh: $left runs still queued or running after 120 s" >&2; exit 1; }
  sleep 0.5
done

STATS=$(psql_on "$DATABASE" -F $'\t' -c "
  SELECT count(*),
         round((count(*) / EXTRACT(EPOCH FROM max(\"EndedAt\") - min(\"StartedAt\")))::numeric, 0),
         round((percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM \"StartedAt\" - \"EnqueuedAt\")) * 1000)::numeric, 2),
         round((percentile_cont(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM \"StartedAt\" - \"EnqueuedAt\")) * 1000)::numeric, 2),
         count(*) FILTER (WHERE \"Status\" <> 'succeeded')
  FROM \"Executions\" WHERE \"EnqueuedAt\" >= '$SINCE'")
IFS=$'\t' read -r RUNS RUNS_PER_S P50 P99 NOT_SUCCEEDED <<<"$STATS"

log "idle for ${IDLE_S}s"
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
declare -A BEFORE
for pid in "${PIDS[@]}"; do BEFORE[$pid]=$(ticks "$pid"); done
sleep "$IDLE_S"
IDLE=()
for pid in "${PIDS[@]}"; do
  IDLE+=("$(awk -v a="${BEFORE[$pid]}" -v b="$(ticks "$pid")" -v hz="$HZ" -v s="$IDLE_S" 'BEGIN { printf "%.2f", (b - a) / hz / s * 100 }')")
done

printf 'replicas\tqueued_req/s\truns\truns/s\tenqueue_to_start_p50_ms\tp99_ms\tnot_succeeded\tidle_cpu_%%_per_replica\n'
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$REPLICAS" "$ACCEPTED_RPS" "$RUNS" "$RUNS_PER_S" "$P50" "$P99" "$NOT_SUCCEEDED" "$(IFS=/; echo "${IDLE[*]}")"
