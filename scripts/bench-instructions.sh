#!/usr/bin/env bash
# Instructions per request of two policy-kb release binaries, counted by valgrind's callgrind:
# unlike req/s on these shared machines, the count is the same from run to run. Each binary
# serves the bundled data twice under callgrind, once for one request and once for 1 + N; the
# difference divided by N is the cost of a request (start-up, seeding and indexing cancel out).
#   scripts/bench-instructions.sh OLD_BINARY NEW_BINARY [N]
# ONLY (a regular expression) keeps the requests whose label matches, e.g. ONLY=highlights.
set -euo pipefail
cd "$(dirname "$0")/.."
old="$1"; new="$2"; n="${3:-200}"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
port=18933

source scripts/bench-requests.sh

count() { # binary requests body -> instructions of the whole run
  local dir out pid
  dir=$(mktemp -d); out="$dir/callgrind.out"
  "$1" --data-dir "$dir/data" seed >/dev/null 2>&1
  RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$1" --data-dir "$dir/data" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.5; done
  for _ in $(seq 1 "$2"); do
    curl -s "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' -d "$3" >/dev/null
  done
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true
  awk '/^(summary|totals):/ { print $2; exit }' "$out"
  rm -rf "$dir"
}

for i in "${!labels[@]}"; do
  [[ "${labels[$i]}" =~ ${ONLY:-.} ]] || continue
  line=$(printf '%-14s' "${labels[$i]}")
  for bin in "$old" "$new"; do
    one=$(count "$bin" 1 "${bodies[$i]}")
    many=$(count "$bin" $((n + 1)) "${bodies[$i]}")
    line+=$(printf ' %12d' $(((many - one) / n)))
  done
  echo "$line   instructions per request (old, new)"
done
