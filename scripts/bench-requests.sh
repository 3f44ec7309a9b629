# The requests the side-by-side benchmarks send (sourced by bench-compare.sh and
# bench-instructions.sh): a label and a GraphQL body each.
# shellcheck disable=SC2034
declare -a labels=("trivial" "search zh" "search en" "highlights zh" "highlights en" "recommend zh" "recommend en" "list")
declare -a bodies=(
  '{"query":"{ __typename }"}'
  '{"query":"{ search(query: \"饮水 安全\") { totalCount hits { score kind slug title { zh en } } } }"}'
  '{"query":"{ search(query: \"drinking water safety\") { totalCount hits { score kind slug title { zh en } } } }"}'
  '{"query":"{ search(query: \"饮水 安全\") { totalCount hits { score kind slug title { zh en } highlights { html } } } }"}'
  '{"query":"{ search(query: \"drinking water safety\") { totalCount hits { score kind slug title { zh en } highlights { html } } } }"}'
  '{"query":"{ recommend(input: { text: \"贫困户等靠要思想严重，脱贫意愿不强\", first: 5 }) { items { score measure { slug } } } }"}'
  '{"query":"{ recommend(input: { text: \"households that recently left poverty could fall back after a health shock\", first: 5 }) { items { score measure { slug } } } }"}'
  '{"query":"{ cases(first: 20) { nodes { slug title { zh } region { name { zh } } measures { title { zh } strategy { name { zh } } } } } }"}'
)
