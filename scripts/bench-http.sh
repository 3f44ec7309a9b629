#!/usr/bin/env bash
# Loads policy-kb over HTTP with wrk, on the bundled data and on 100,000 generated records:
# a trivial GraphQL query and two searches, each for a fixed time. Prints requests/second and
# latency, the cold start on the bundled data (an empty data dir: migrate, seed, index,
# listen, until /ready answers) and the server's peak resident memory after the load;
# docs/benchmarks.md keeps the results. Everything runs on loopback and stops itself.
#   scripts/bench-http.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-15}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin policy-kb --example synthetic_corpus
bin="${CARGO_TARGET_DIR:-target}/release/policy-kb"
generator="${CARGO_TARGET_DIR:-target}/release/examples/synthetic_corpus"
port=18931

trivial='{"query":"{ __typename }"}'
search_zh='{"query":"{ search(query: \"饮水 安全\") { totalCount hits { slug highlights { html } } } }"}'
search_en='{"query":"{ search(query: \"farmers wait for handouts\") { totalCount hits { slug highlights { html } } } }"}'

run() { # label body
  echo "--- $1"
  BODY="$2" wrk -t2 -c16 -d"${duration}s" --latency -s scripts/wrk-graphql.lua "http://127.0.0.1:$port/graphql" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx"
}

now() { date +%s%N; }
cold=$(mktemp -d)
started=$(now)
RUST_LOG=warn "$bin" --data-dir "$cold" serve --bind "127.0.0.1:$port" &
server=$!
until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do sleep 0.01; done
echo "cold start (bundled, empty data dir, until ready): $(( ($(now) - started) / 1000000 )) ms"
kill "$server"; wait "$server" 2>/dev/null || true
rm -rf "$cold"

# SIZES: the generated corpora besides the bundled data, in cases (e.g. "100000 300000 1000000").
for corpus in bundled ${SIZES:-100000}; do
  dir=$(mktemp -d)
  "$bin" --data-dir "$dir" seed >/dev/null
  if [ "$corpus" != bundled ]; then
    "$generator" "$corpus" "$dir/corpus" >/dev/null
    start=$(date +%s.%N); "$bin" --data-dir "$dir" import "$dir/corpus/cases.json"; end=$(date +%s.%N)
    echo "import of $corpus cases: $(echo "$end - $start" | bc) s"
    rm -rf "$dir/corpus"
  fi
  start=$(date +%s.%N); "$bin" --data-dir "$dir" reindex; end=$(date +%s.%N)
  echo "reindex ($corpus): $(echo "$end - $start" | bc) s; data dir $(du -sh "$dir" | cut -f1), index $(du -sh "$dir/index" | cut -f1)"
  RUST_LOG=warn "$bin" --data-dir "$dir" serve --bind "127.0.0.1:$port" &
  server=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
  echo "=== $corpus"
  run "trivial query" "$trivial"
  run "search (Chinese)" "$search_zh"
  run "search (English)" "$search_en"
  echo "peak RSS ($corpus): $(awk '/VmHWM/ { print $2 / 1024 " MB" }' "/proc/$server/status")"
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$dir"
done
