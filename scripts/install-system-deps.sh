#!/usr/bin/env bash
# Debian 12 packages Plexus needs. Idempotent: installs only what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
need=()
command -v dotnet >/dev/null 2>&1 || { echo "the .NET SDK 10 is required (dotnet on PATH)" >&2; exit 1; }
command -v git >/dev/null 2>&1 || need+=(git)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
