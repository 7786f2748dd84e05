#!/usr/bin/env bash
# Prints a TCP port on 127.0.0.1 that nothing listens on (bash /dev/tcp; no extra tools).
start=${1:-20000}
for ((p = start; p < start + 2000; p++)); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; exit 0; fi
done
echo "no free port from $start" >&2; exit 1
