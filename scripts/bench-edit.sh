#!/usr/bin/env bash
# How long an edit takes to be acknowledged and then to be found by search, on the bundled data
# and on 100,000 generated cases: N creates, each followed by polling search every 5 ms until the
# new case is a hit; then N links of those cases to a measure that 100,000 cases cite (its
# document and every one built from it are rebuilt), each followed by polling until the case is
# found under the measure's prong; then N plain updates of one record of each kind that has an
# update mutation (case, measure, cause, statistic, region), each writing a new word into a text
# the record's search document (a statistic's: its cause's) holds, and polling until the word is
# found. docs/benchmarks.md keeps the results. Runs on loopback and stops itself.
#   scripts/bench-edit.sh [EDITS]
set -euo pipefail
cd "$(dirname "$0")/.."
edits="${1:-10}"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin policy-kb --example synthetic_corpus
bin="${BIN:-${CARGO_TARGET_DIR:-target}/release/policy-kb}"
generator="${CARGO_TARGET_DIR:-target}/release/examples/synthetic_corpus"
port=18932
now() { date +%s%N; }

for corpus in bundled 100k; do
  dir=$(mktemp -d)
  "$bin" --data-dir "$dir" seed >/dev/null
  if [ "$corpus" = 100k ]; then
    "$generator" 100000 "$dir/corpus" >/dev/null
    "$bin" --data-dir "$dir" import "$dir/corpus/cases.json" >/dev/null
  fi
  token=$("$bin" --data-dir "$dir" token create --role editor --name bench 2>/dev/null)
  RUST_LOG=warn "$bin" --data-dir "$dir" serve --bind "127.0.0.1:$port" &
  server=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
  # The first catch-up after start (a rebuild after the import) is not an edit's cost.
  sleep 2
  gql() { # body [token]
    local auth=()
    [ -n "${2:-}" ] && auth=(-H "authorization: Bearer $2")
    curl -sf "http://127.0.0.1:$port/graphql" -H "content-type: application/json" "${auth[@]}" -d "$1"
  }
  # timed LABEL MUTATION SEARCH: sends the mutation, then polls the search every 5 ms until it
  # has a hit; prints the ms to acknowledge and until searchable, and leaves the mutation's
  # answer in $answer.
  timed() {
    local start acked found
    start=$(now)
    answer=$(gql "$2" "$token")
    acked=$(now)
    until gql "$3" | grep -q '"totalCount":[1-9]'; do sleep 0.005; done
    found=$(now)
    echo "$1: $(( (acked - start) / 1000000 )) $(( (found - start) / 1000000 ))"
  }
  measure=$(gql '{"query":"{ measure(slug: \"honour-hard-work\") { id } }"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
  echo "=== $corpus: create, ms to acknowledge, ms until searchable"
  ids=()
  for i in $(seq 1 "$edits"); do
    marker="zqbench${i}x"
    body="{\"query\":\"mutation { createCase(input: { slug: \\\"bench-$i\\\", title: { zh: \\\"基准\\\", en: \\\"$marker workshop\\\" }, citations: [{ section: { zh: \\\"a\\\", en: \\\"a\\\" }, excerpt: { zh: \\\"a\\\", en: \\\"a\\\" } }] }) { id } }\"}"
    search="{\"query\":\"{ search(query: \\\"$marker\\\", first: 1) { totalCount } }\"}"
    timed "create $i" "$body" "$search"
    ids+=("$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$answer")")
  done
  echo "=== $corpus: link to honour-hard-work, ms to acknowledge, ms until searchable"
  for i in $(seq 1 "$edits"); do
    marker="zqbench${i}x"
    body="{\"query\":\"mutation { linkCaseMeasure(input: { case: \\\"${ids[$((i - 1))]}\\\", measure: \\\"$measure\\\" }) { version } }\"}"
    search="{\"query\":\"{ search(query: \\\"$marker\\\", filter: { strategies: [\\\"education\\\"] }, first: 1) { totalCount } }\"}"
    timed "link $i" "$body" "$search"
  done
  for spec in case:chengkou-culture-platforms:summary measure:honour-hard-work:summary \
    cause:weak-basic-conditions:summary statistic:helpers-weak-will:label region:wushan:summary; do
    IFS=: read -r kind slug field <<<"$spec"
    mutation="update$(tr '[:lower:]' '[:upper:]' <<<"${kind:0:1}")${kind:1}"
    record=$(gql "{\"query\":\"{ $kind(slug: \\\"$slug\\\") { id version } }\"}")
    id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$record")
    version=$(sed -E 's/.*"version":([0-9]+).*/\1/' <<<"$record")
    echo "=== $corpus: $mutation $slug, ms to acknowledge, ms until searchable"
    for i in $(seq 1 "$edits"); do
      marker="zqupd${kind}${i}x"
      body="{\"query\":\"mutation { $mutation(input: { id: \\\"$id\\\", version: $version, $field: { zh: \\\"基准\\\", en: \\\"$marker figure\\\" } }) { version } }\"}"
      search="{\"query\":\"{ search(query: \\\"$marker\\\", first: 1) { totalCount } }\"}"
      timed "$kind $i" "$body" "$search"
      version=$(sed -E 's/.*"version":([0-9]+).*/\1/' <<<"$answer")
    done
  done
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$dir"
done
