#!/usr/bin/env bash
# Sets up everything and starts Plexus. Until the server exists (issue 4) this runs
# examples/hello.json through the `plexus` CLI and prints every node run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
scripts/install-system-deps.sh
dotnet tool restore >/dev/null
dotnet build src/Plexus.Cli -c Release -v quiet -nologo
exec dotnet src/Plexus.Cli/bin/Release/net10.0/plexus.dll run examples/hello.json "$@"
