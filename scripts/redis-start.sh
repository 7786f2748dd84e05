#!/usr/bin/env bash
# Starts a throwaway Redis on 127.0.0.1 (no persistence) and prints `export` lines:
#   eval "$(scripts/redis-start.sh)"      ...      scripts/redis-stop.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v redis-server >/dev/null || { echo "redis-server is missing: run scripts/install-system-deps.sh" >&2; exit 1; }
REDIS_PORT=${REDIS_PORT:-$("$here/free-port.sh" 26379)}
REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/plexus-redis.XXXXXX")
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >/dev/null
for _ in $(seq 100); do
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || { cat "$REDIS_DIR/redis.log" >&2; exit 1; }
echo "export REDIS_DIR=$REDIS_DIR REDIS_PORT=$REDIS_PORT"
echo "export PLEXUS_REDIS='127.0.0.1:$REDIS_PORT'"
