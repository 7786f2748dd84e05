#!/usr/bin/env bash
# Stops the PostgreSQL that pg-start.sh started (reads PGROOT) and removes its files.
set -u
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -n "${PGROOT:-}" ] && [ -d "$PGROOT/data" ] || exit 0
runuser -u "${PGUSER_OS:-postgres}" -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$PGROOT"
