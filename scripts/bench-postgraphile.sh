#!/usr/bin/env bash
# A list with its relations, side by side in one run: policy-kb on PostgreSQL against
# PostGraphile 4 with two workers (`--cluster-workers 2`, the same two cores) on the same
# database that policy-kb created and seeded, and policy-kb on SQLite against its own trivial
# query. PostGraphile is installed from npm into a scratch folder, never into the project.
# docs/benchmarks.md keeps the results. Runs on loopback and stops itself.
#   scripts/bench-postgraphile.sh [DURATION_SECONDS] [CONNECTIONS]
# Needs PostgreSQL on 127.0.0.1:5432 with trust auth (user postgres), as the tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-4}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin policy-kb
bin="${BIN:-${CARGO_TARGET_DIR:-target}/release/policy-kb}"
port=18934
graphile_port=18935
database="kb_bench_postgraphile"
url="postgres://postgres@127.0.0.1:5432/$database"

scratch=$(mktemp -d)
cleanup() {
  kill "${server:-}" "${graphile:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
(cd "$scratch" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund postgraphile@4 >/dev/null)

trivial='{"query":"{ __typename }"}'
cases='{"query":"{ cases(first: 20) { nodes { slug title { zh } region { name { zh } } measures { title { zh } strategy { name { zh } } } } } }"}'
all_cases='{"query":"{ allCases(first: 20) { nodes { slug titleZh regionByRegionId { nameZh } caseMeasuresByCaseId { nodes { measureByMeasureId { titleZh strategyByStrategyId { nameZh } } } } } } }"}'

run() { # label url body
  echo "--- $1"
  BODY="$3" wrk -t1 -c"$connections" -d"${duration}s" --latency -s scripts/wrk-graphql.lua "$2" |
    grep -E "Requests/sec|50%|99%|Non-2xx"
}
ready() { # url: waits until a GraphQL POST of the trivial query succeeds
  for _ in $(seq 1 300); do
    curl -sf "$1" -H 'content-type: application/json' -d "$trivial" >/dev/null && return
    sleep 0.1
  done
  echo "not ready: $1" >&2
  exit 1
}
check() { # url body: the two servers must answer the same number of cases without errors
  curl -sf "$1" -H 'content-type: application/json' -d "$2" | grep -o '"slug"' | wc -l
}

psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database"
"$bin" --database-url "$url" --data-dir "$scratch/data" seed >/dev/null

echo "=== policy-kb on PostgreSQL vs PostGraphile 4 (2 workers), $connections connections"
RUST_LOG=warn KB_RATE_LIMIT=0 "$bin" --database-url "$url" --data-dir "$scratch/data" serve --bind "127.0.0.1:$port" &
server=$!
ready "http://127.0.0.1:$port/graphql"
"$scratch/node_modules/.bin/postgraphile" -c "$url" --host 127.0.0.1 --port "$graphile_port" \
  --disable-default-mutations --cluster-workers 2 --disable-query-log >/dev/null 2>&1 &
graphile=$!
ready "http://127.0.0.1:$graphile_port/graphql"
echo "cases answered: policy-kb $(check "http://127.0.0.1:$port/graphql" "$cases"), PostGraphile $(check "http://127.0.0.1:$graphile_port/graphql" "$all_cases")"
run "policy-kb: cases with relations (PostgreSQL)" "http://127.0.0.1:$port/graphql" "$cases"
run "PostGraphile: allCases with relations" "http://127.0.0.1:$graphile_port/graphql" "$all_cases"
run "policy-kb: cases with relations (PostgreSQL, again)" "http://127.0.0.1:$port/graphql" "$cases"
run "PostGraphile: allCases with relations (again)" "http://127.0.0.1:$graphile_port/graphql" "$all_cases"
kill "$server" "$graphile"; wait 2>/dev/null || true
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $database"

echo "=== policy-kb on SQLite: cases with relations vs the trivial query, $connections connections"
RUST_LOG=warn KB_RATE_LIMIT=0 "$bin" --data-dir "$scratch/sqlite" serve --bind "127.0.0.1:$port" &
server=$!
ready "http://127.0.0.1:$port/graphql"
run "trivial query" "http://127.0.0.1:$port/graphql" "$trivial"
run "cases with relations" "http://127.0.0.1:$port/graphql" "$cases"
