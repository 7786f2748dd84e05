#!/usr/bin/env bash
# Sets up everything and starts Plexus with its embedded default: SQLite under ./data,
# the editor and the API on http://127.0.0.1:5080. Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
scripts/install-system-deps.sh
dotnet tool restore >/dev/null
scripts/web-build.sh
dotnet build src/Plexus.Server -c Release -v quiet -nologo
exec dotnet src/Plexus.Server/bin/Release/net10.0/Plexus.Server.dll "$@"
