#!/usr/bin/env bash
# Builds the editor (web/) into src/Plexus.Server/wwwroot, which the server serves at /. Safe to run twice:
# npm ci installs exactly package-lock.json, and the build replaces wwwroot. Run it before building the server,
# whose build copies wwwroot next to the assembly.
set -euo pipefail
cd "$(dirname "$0")/../web"
command -v npm >/dev/null 2>&1 || { echo "Node.js 20 and npm are required for the editor (web/)" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
