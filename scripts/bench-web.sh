#!/usr/bin/env bash
# Loads the web app's pages with wrk beside the GraphQL requests each page runs (the same
# documents and variables, POSTed to /graphql), on the bundled data: home, search, recommend and a
# case page. Prints requests/second of each, and for each page the rate of its GraphQL work (the
# documents one after the other: 1 / sum of 1/rate) and the page's cost relative to it.
# docs/benchmarks.md keeps the results. Everything runs on loopback and stops itself.
#   scripts/bench-web.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin policy-kb
bin="${KB_BIN:-${CARGO_TARGET_DIR:-target}/release/policy-kb}"
port=18932
base="http://127.0.0.1:$port"
queries=src/web/queries

dir=$(mktemp -d)
# The rate limit is per client IP, and wrk is one client: switch it off for the measurement.
KB_RATE_LIMIT=0 RUST_LOG=warn "$bin" --data-dir "$dir" serve --bind "127.0.0.1:$port" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 150); do curl -sf "$base/ready" >/dev/null && break; sleep 0.2; done

# A GraphQL request body: document file and variables (JSON).
body() { python3 -c 'import json,sys; print(json.dumps({"query": open(sys.argv[1]).read(), "variables": json.loads(sys.argv[2])}))' "$queries/$1.graphql" "$2"; }
rate() { # URL [BODY]: requests/second
  local out
  if [ -n "${2:-}" ]; then
    out=$(BODY="$2" wrk -t2 -c16 -d"${duration}s" -s scripts/wrk-graphql.lua "$1")
  else
    out=$(wrk -t2 -c16 -d"${duration}s" -H 'Accept-Encoding: gzip' "$1")
  fi
  if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx responses for $1" >&2; exit 1; fi
  echo "$out" | awk '/Requests\/sec/ { print $2 }'
}

case_slug=$(curl -s "$base/graphql" -H 'content-type: application/json' \
  -d '{"query":"{ cases(first: 1) { edges { node { slug id } } } }"}' | python3 -c 'import json,sys; n=json.load(sys.stdin)["data"]["cases"]["edges"][0]["node"]; print(n["slug"], n["id"])')
read -r slug id <<<"$case_slug"
text='很多贫困户脱贫意愿不强，孩子辍学'
encoded=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$text")

printf "%-10s %10s %12s %10s  %s\n" page "page req/s" "GraphQL req/s" "page cost" "documents (req/s each)"
measure() { # name page-URL doc vars [doc vars ...]
  local name=$1 url=$2; shift 2
  local page_rate; page_rate=$(rate "$url")
  local inverse=0 each=""
  while [ $# -gt 0 ]; do
    local r; r=$(rate "$base/graphql" "$(body "$1" "$2")")
    inverse=$(echo "$inverse + 1 / $r" | bc -l)
    each="$each $1=$r"
    shift 2
  done
  local graphql; graphql=$(echo "1 / $inverse" | bc -l)
  printf "%-10s %10.0f %12.0f %9.2fx %s\n" "$name" "$page_rate" "$graphql" "$(echo "$graphql / $page_rate" | bc -l)" "$each"
}
measure home "$base/zh/" home '{}'
measure search "$base/zh/search?q=%E9%A5%AE%E6%B0%B4%20%E5%AE%89%E5%85%A8" \
  search '{"query":"饮水 安全","filter":{},"first":10,"after":null}'
measure recommend "$base/zh/recommend?text=$encoded" \
  picker '{}' recommend "{\"input\":{\"text\":\"$text\",\"first\":10}}"
measure case "$base/zh/case/$slug" case "{\"slug\":\"$slug\"}" history "{\"id\":\"$id\"}"
