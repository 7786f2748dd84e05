#!/usr/bin/env bash
# Router load: the real server (Release) on SQLite (or --postgres), examples/greet.json pushed to prod with
# `plexus push`, then the peer harness's bench-one.sh (wrk, bounded by -d) against POST /p/bench/prod/hook/42.
#
#   bench/load/run.sh [--postgres] [--check-only] [--keep] [--serve PIDFILE]
#
# Prints one result line (TSV, the columns of ../shared/peers/bench-one.sh, with a header) and keeps the wrk
# logs in $WORKDIR/results. Env: SAVE_POLICY (all, the default, errors or none: greet's save policy), RATE_LIMIT (permits per
# minute on greet's route, 1..1000000: what the limiter costs), REDIS (host:port: the server counts limits there), WORKDIR (default: a new /tmp/plexus-load.XXXXXX), PORT (default: a free port
# from 18300), PEERS_DIR (default: ../shared/peers), SKIP_BUILD=1, and bench-one's THREADS CONNS DURATION_S
# WARMUP_S SEQ_S LOAD_CPUS; SERVER_CPUS pins the server (taskset). --check-only stops after the response check.
# --serve PIDFILE leaves the checked server running (PID written to PIDFILE, URL on stdout) for run-all.sh's
# EXTRA_TARGET_START; stop it with `kill $(cat PIDFILE)`.
# Exit: 0 measured, 3 the route answers 404/401 (no router yet), 1 anything else.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS_DIR=${PEERS_DIR:-$(cd "$ROOT/.." && pwd)/shared/peers}
DB=sqlite CHECK_ONLY=0 KEEP=0 SERVE_PIDFILE=
SAVE_POLICY=${SAVE_POLICY:-all}
case $SAVE_POLICY in all|errors|none) ;; *) echo "run.sh: SAVE_POLICY must be all, errors or none, not '$SAVE_POLICY'" >&2; exit 2 ;; esac
RATE_LIMIT=${RATE_LIMIT:-} REDIS=${REDIS:-}
if [ -n "$RATE_LIMIT" ] && { ! [[ $RATE_LIMIT =~ ^[1-9][0-9]{0,6}$ ]] || [ "$RATE_LIMIT" -gt 1000000 ]; }; then
  echo "run.sh: RATE_LIMIT must be a number of permits per minute from 1 to 1000000, not '$RATE_LIMIT'" >&2; exit 2
fi
while [ $# -gt 0 ]; do
  arg=$1; shift
  case $arg in
    --postgres) DB=postgres ;;
    --serve) [ $# -gt 0 ] || { echo "run.sh: --serve needs a PID file" >&2; exit 2; }; SERVE_PIDFILE=$1; shift ;;
    --check-only) CHECK_ONLY=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$PEERS_DIR/bench-one.sh" ] || { echo "run.sh: no peer harness at $PEERS_DIR (set PEERS_DIR)" >&2; exit 1; }

cd "$ROOT"
. scripts/env.sh
log() { echo "[load] $*" >&2; }

# Tools: wrk (apt if missing), curl, jq.
missing=()
for tool in wrk curl jq; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt-get"
  apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
fi

WORKDIR=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/plexus-load.XXXXXX")}
mkdir -p "$WORKDIR"
export PEERBENCH_DIR=$WORKDIR
. "$PEERS_DIR/common.sh"   # RUN_DIR, RESULTS_DIR, start_bg, stop_pidfile, post_once, BENCH_BODY, BENCH_EXPECTED
NAME=plexus-$DB
if [ "$SAVE_POLICY" != all ]; then NAME=$NAME-save-$SAVE_POLICY; fi
if [ -n "$RATE_LIMIT" ]; then NAME=$NAME-limit; fi
if [ -n "$REDIS" ]; then NAME=$NAME-redis; fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building Release (server and CLI)"
  dotnet build src/Plexus.Cli -c Release -v quiet -nologo >"$WORKDIR/build.log" 2>&1 || { cat "$WORKDIR/build.log" >&2; exit 1; }
fi
SERVER_DLL=$ROOT/src/Plexus.Server/bin/Release/net10.0/Plexus.Server.dll
PLEXUS_DLL=$ROOT/src/Plexus.Cli/bin/Release/net10.0/plexus.dll
[ -f "$SERVER_DLL" ] && [ -f "$PLEXUS_DLL" ] || { echo "run.sh: no Release build (drop SKIP_BUILD)" >&2; exit 1; }

PG_STARTED=0 PG_DATABASE=
cleanup() {
  stop_pidfile "$NAME" >&2 || true
  if [ -n "$PG_DATABASE" ] && [ "$PG_STARTED" = 0 ]; then
    psql_admin -c "DROP DATABASE IF EXISTS \"$PG_DATABASE\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ "$PG_STARTED" = 1 ]; then "$ROOT/scripts/pg-stop.sh" || true; fi
  if [ "$KEEP" = 0 ] && [ -z "${KEEP_WORKDIR:-}" ]; then rm -f "$WORKDIR/plexus.db"*; fi
}
trap cleanup EXIT

# The database: a fresh SQLite file, or a fresh database on PLEXUS_PG (else a throwaway PostgreSQL from pg-start.sh).
if [ "$DB" = sqlite ]; then
  CONNECTION="Data Source=$WORKDIR/plexus.db"
else
  if [ -z "${PLEXUS_PG:-}" ]; then
    log "starting PostgreSQL (scripts/pg-start.sh)"
    eval "$(scripts/pg-start.sh)"
    PG_STARTED=1
  fi
  pg_field() { tr ';' '\n' <<<"$PLEXUS_PG" | sed -n "s/^$1=//Ip" | head -1; }
  psql_admin() { PGPASSWORD=$(pg_field Password) psql -h "$(pg_field Host)" -p "$(pg_field Port)" -U "$(pg_field Username)" -d postgres -qAt "$@"; }
  PG_DATABASE=plexus_load_$(date +%s)
  command -v psql >/dev/null || { echo "run.sh: --postgres needs psql" >&2; exit 1; }
  psql_admin -c "CREATE DATABASE \"$PG_DATABASE\"" >/dev/null
  CONNECTION="$(sed -E 's/(^|;)Database=[^;]*//I' <<<"$PLEXUS_PG");Database=$PG_DATABASE"
fi

PORT=${PORT:-$("$ROOT/scripts/free-port.sh" 18300)}
BASE=http://127.0.0.1:$PORT
log "starting the server on $BASE ($DB), pid file $RUN_DIR/$NAME.pid"
# shellcheck disable=SC2046
start_bg "$NAME" $(pin "${SERVER_CPUS:-}") env ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$SERVER_DLL" --Urls "$BASE" --Database:Provider "$DB" --Database:ConnectionString "$CONNECTION" \
  ${REDIS:+--Redis:ConnectionString "$REDIS"}
for i in $(seq 1 120); do
  curl -sf -m 2 "$BASE/health/ready" >/dev/null 2>&1 && break
  kill -0 "$(cat "$RUN_DIR/$NAME.pid")" 2>/dev/null || { echo "run.sh: the server exited; log:" >&2; tail -30 "$RUN_DIR/$NAME.log" >&2; exit 1; }
  [ "$i" = 120 ] && { echo "run.sh: not ready after 60 s: $BASE/health/ready" >&2; tail -30 "$RUN_DIR/$NAME.log" >&2; exit 1; }
  sleep 0.5
done

# A bench user, project `bench`, an API key; then the workflow, with the CLI.
API=$BASE/api/v1
json_post() { curl -sf -m 10 "$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
SIGNUP=$(json_post "$API/auth/signup" '{"email":"bench@example.com","password":"bench password 1","name":"Bench"}')
TOKEN=$(jq -r .accessToken <<<"$SIGNUP") ORG=$(jq -r .organization.id <<<"$SIGNUP")
PROJECT=$(json_post "$API/orgs/$ORG/projects" '{"name":"Bench","slug":"bench"}' -H "authorization: Bearer $TOKEN" | jq -r .id)
KEY=$(json_post "$API/orgs/$ORG/api-keys" '{"name":"bench","scopes":["workflows:read","workflows:write"]}' \
  -H "authorization: Bearer $TOKEN" | jq -r .key)
WORKFLOW_FILE=examples/greet.json
if [ -n "$RATE_LIMIT" ]; then
  WORKFLOW_FILE=$WORKDIR/greet.json
  jq --argjson n "$RATE_LIMIT" '(.nodes[] | select(.id == "hook") | .settings.rateLimit) = {permitPerMinute: $n}' examples/greet.json >"$WORKFLOW_FILE"
  log "greet's route allows $RATE_LIMIT requests per minute${REDIS:+, counted in Redis at $REDIS}"
fi
dotnet "$PLEXUS_DLL" push "$WORKFLOW_FILE" --server "$BASE" --project bench --stage prod --key "$KEY" >&2
if [ "$SAVE_POLICY" != all ]; then
  WORKFLOW=$(curl -sf -m 10 "$API/projects/$PROJECT/workflows" -H "authorization: Bearer $TOKEN" | jq -r '.items[] | select(.name == "greet") | .id')
  curl -sf -m 10 -X PATCH "$API/workflows/$WORKFLOW" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"savePolicy\":\"$SAVE_POLICY\"}" >/dev/null
  log "save policy of greet: $SAVE_POLICY"
fi

URL=$BASE/p/bench/prod/hook/42
answer=$(post_once "$URL"); code=${answer%% *}; body=${answer#* }
# Without the router /p/... is an unknown path: 404, or 401 where the API's fallback policy wants credentials first.
if [ "$code" = 404 ] || { [ "$code" = 401 ] && jq -e '.code == "unauthorized"' <<<"$body" >/dev/null 2>&1; }; then
  echo "run.sh: POST $URL answered $code: this server does not serve published routes yet (the router is being built on" \
    "branch 'router'; run this again once it is merged). Nothing was measured." >&2
  exit 3
fi
if [ "$code" != 200 ] || [ "$(jq -cS . <<<"$body" 2>/dev/null)" != "$BENCH_EXPECTED" ]; then
  echo "run.sh: POST $URL answered HTTP $code $body; expected 200 $BENCH_EXPECTED" >&2
  exit 1
fi
log "POST $URL answers $BENCH_EXPECTED"
[ "$CHECK_ONLY" = 1 ] && exit 0
if [ -n "$SERVE_PIDFILE" ]; then
  cp "$RUN_DIR/$NAME.pid" "$SERVE_PIDFILE"
  trap - EXIT
  log "left running: pid $(cat "$SERVE_PIDFILE") in $SERVE_PIDFILE; stop with: kill \$(cat $SERVE_PIDFILE)"
  echo "$URL"
  exit 0
fi

log "wrk: THREADS=${THREADS:-2} CONNS=${CONNS:-32} DURATION_S=${DURATION_S:-15} WARMUP_S=${WARMUP_S:-5} SEQ_S=${SEQ_S:-10}"
LINE=$("$PEERS_DIR/bench-one.sh" "$NAME" "$URL" "$NAME" "$WORKDIR")
printf 'label\treq/s\tp50_ms\tp99_ms\tseq_req/s\tseq_p50_ms\tseq_p99_ms\terrors\tcpu_s_per_1k_req\trss_mib\n'
printf '%s\n' "$LINE"
printf '%s\n' "$LINE" >>"$RESULTS_DIR/load.tsv"
