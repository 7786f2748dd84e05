#!/usr/bin/env bash
# Stops the Redis that redis-start.sh started (reads REDIS_DIR) and removes its files.
set -u
[ -n "${REDIS_DIR:-}" ] && [ -f "$REDIS_DIR/redis.pid" ] || exit 0
kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null
for _ in $(seq 50); do [ -f "$REDIS_DIR/redis.pid" ] || break; sleep 0.1; done
rm -rf "$REDIS_DIR"
