#!/usr/bin/env bash
# Compares two policy-kb release binaries side by side on the bundled data, in one run: the
# trivial query, searches in both languages and recommend with a description, each for a
# fixed time, the binaries alternating. Everything runs on loopback and stops itself.
#   scripts/bench-compare.sh OLD_BINARY NEW_BINARY [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
old="$1"; new="$2"; duration="${3:-5}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
port=${PORT:-18932}

source scripts/bench-requests.sh

start() { # binary -> pid
  local dir; dir=$(mktemp -d)
  "$1" --data-dir "$dir" seed >/dev/null 2>&1
  RUST_LOG=warn "$1" --data-dir "$dir" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
  echo $!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
}

for i in "${!labels[@]}"; do
  for which in old new; do
    bin=$old; [ "$which" = new ] && bin=$new
    pid=$(start "$bin")
    rps=$(BODY="${bodies[$i]}" wrk -t1 -c16 -d"${duration}s" -s scripts/wrk-graphql.lua "http://127.0.0.1:$port/graphql" | awk '/Requests\/sec/ { print $2 }')
    printf '%-14s %-4s %10s req/s\n' "${labels[$i]}" "$which" "$rps"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
