#!/usr/bin/env bash
# Editor benchmark (issue #6): opening a 500-node workflow, and the frame rate during a scripted 2-second drag of a
# node, in headless Debian Chromium against a Release server on SQLite. Prints the figures; asserts nothing.
# Usage: bench/editor/run.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/env.sh
scripts/web-build.sh >/dev/null
# The test project's build brings the server and Playwright's driver (its own node and package) with it.
dotnet build tests/Plexus.Server.Tests -c Release -v quiet -nologo >/dev/null
port=$(scripts/free-port.sh 21080)
data=$(mktemp -d "${TMPDIR:-/tmp}/plexus-bench-editor.XXXXXX")
Database__ConnectionString="Data Source=$data/plexus.db" \
  dotnet src/Plexus.Server/bin/Release/net10.0/Plexus.Server.dll --urls "http://127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.2; done
driver=tests/Plexus.Server.Tests/bin/Release/net10.0/.playwright
"$driver/node/linux-x64/node" bench/editor/bench.mjs "http://127.0.0.1:$port" "$PWD/$driver/package" "${1:-5}"
