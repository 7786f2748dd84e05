#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on 127.0.0.1 as a non-root user and prints `export` lines:
#   eval "$(scripts/pg-start.sh)"      ...      scripts/pg-stop.sh
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGUSER_OS=${PGUSER_OS:-postgres}
if ! id "$PGUSER_OS" >/dev/null 2>&1; then useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"; fi
here=$(cd "$(dirname "$0")" && pwd)
PGPORT=${PGPORT:-$("$here/free-port.sh" 25432)}
PGROOT=$(mktemp -d "${TMPDIR:-/tmp}/plexus-pg.XXXXXX")
chown "$PGUSER_OS" "$PGROOT"; chmod 700 "$PGROOT"
as_pg() { runuser -u "$PGUSER_OS" -- "$@"; }
as_pg "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGROOT/initdb.log" 2>&1 \
  || { cat "$PGROOT/initdb.log" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$PGROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null || { cat "$PGROOT/server.log" >&2; exit 1; }
echo "export PGROOT=$PGROOT PGPORT=$PGPORT"
echo "export PLEXUS_PG='Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres'"
