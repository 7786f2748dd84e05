#!/usr/bin/env bash
# Debian 12 packages Plexus needs. Idempotent: installs only what is missing
# (an unconditional `apt-get install postgresql` would upgrade the image's copy).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
command -v dotnet >/dev/null 2>&1 || { echo "the .NET SDK 10 is required (dotnet on PATH)" >&2; exit 1; }
need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v git >/dev/null 2>&1 || need+=(git)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
# The editor's browser tests drive Debian's Chromium (Playwright's own browser download needs a network we lack);
# with its recommended packages (fonts), as verified in STACK.md.
if ! command -v chromium >/dev/null 2>&1; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium
fi
