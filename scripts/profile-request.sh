#!/usr/bin/env bash
# Where a request's time goes: serves the bundled data (or DATA_DIR, an existing data dir) with
# a release binary, loads it with one of the benchmark requests under wrk while `perf record`
# samples the server (cpu-clock, DWARF call graphs), then writes a flame graph and prints the
# functions that hold the most samples themselves and with their callees.
#   scripts/profile-request.sh BINARY LABEL [SECONDS] [OUT_DIR]
# LABEL is one of scripts/bench-requests.sh's labels ("highlights zh", "list", ...). The SVG
# goes to OUT_DIR (default target/profiles), named after the label.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$1"; label="$2"; duration="${3:-10}"; out="${4:-${CARGO_TARGET_DIR:-target}/profiles}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }
command -v inferno-flamegraph >/dev/null || cargo install --locked inferno >/dev/null
port=18934

source scripts/bench-requests.sh
body=""
for i in "${!labels[@]}"; do [ "${labels[$i]}" = "$label" ] && body="${bodies[$i]}"; done
[ -n "$body" ] || { echo "no request labelled '$label' in scripts/bench-requests.sh" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="${DATA_DIR:-$work/data}"
[ -n "${DATA_DIR:-}" ] || "$bin" --data-dir "$data" seed >/dev/null 2>&1
RUST_LOG=warn "$bin" --data-dir "$data" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
# Warm up first, so the profile is of the steady state, not of the first requests.
BODY="$body" wrk -t1 -c16 -d2s -s scripts/wrk-graphql.lua "http://127.0.0.1:$port/graphql" >/dev/null
perf record -q -F 199 -e cpu-clock --call-graph dwarf,16384 -p "$server" -o "$work/perf.data" \
  -- sleep "$duration" 2>/dev/null &
recorder=$!
BODY="$body" wrk -t1 -c16 -d"${duration}s" -s scripts/wrk-graphql.lua "http://127.0.0.1:$port/graphql" \
  | awk '/Requests\/sec/ { print "under perf: " $2 " req/s" }'
wait "$recorder" || true
kill "$server"; wait "$server" 2>/dev/null || true

mkdir -p "$out"
name="$out/$(echo "$label" | tr ' ' '-')"
perf script -i "$work/perf.data" 2>/dev/null | inferno-collapse-perf > "$name.folded"
inferno-flamegraph --title "policy-kb: $label" < "$name.folded" > "$name.svg"
echo "flame graph: $name.svg (stacks: $name.folded)"
echo "--- self (share of samples)"
perf report -i "$work/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9]' | sed -E 's/ +-? +-? *$//' | head -n "${TOP:-25}"
echo "--- with callees"
perf report -i "$work/perf.data" --children --sort symbol --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9]' | sed -E 's/ +-? +-? *$//' | head -n "${TOP:-25}"
