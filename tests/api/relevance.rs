//! Search relevance on the bundled knowledge base, measured over planners' queries
//! (tests/relevance/queries.yaml): mean reciprocal rank of the first relevant record, and
//! recall at 3.

use serde::Deserialize;
use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// The bars this suite holds search to.
const MIN_MRR: f64 = 0.90;
const MIN_RECALL_AT_3: f64 = 0.90;

#[derive(Deserialize)]
struct Judgement {
    query: String,
    /// `kind:slug` of the records that belong in the top 3.
    relevant: Vec<String>,
}

#[tokio::test]
async fn planners_queries_find_the_right_records_first() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/relevance/queries.yaml");
    let judgements: Vec<Judgement> =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        judgements.len() >= 120,
        "the set needs at least 120 queries"
    );
    let app = TestApp::spawn(&Backend::Sqlite).await;

    let (mut reciprocal_ranks, mut recalls, mut misses) = (Vec::new(), Vec::new(), Vec::new());
    for judgement in &judgements {
        let data = app
            .data(
                "query($q: String!) { search(query: $q, first: 10) { hits { kind slug } } }",
                json!({ "q": judgement.query }),
            )
            .await;
        let ranked: Vec<String> = data["search"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                format!(
                    "{}:{}",
                    h["kind"].as_str().unwrap().to_lowercase(),
                    h["slug"].as_str().unwrap()
                )
            })
            .collect();
        let first_relevant = ranked
            .iter()
            .position(|hit| judgement.relevant.contains(hit));
        reciprocal_ranks.push(first_relevant.map_or(0.0, |rank| 1.0 / (rank as f64 + 1.0)));
        let found = judgement
            .relevant
            .iter()
            .filter(|r| ranked.iter().take(3).any(|hit| hit == *r))
            .count();
        recalls.push(found as f64 / judgement.relevant.len().min(3) as f64);
        if first_relevant.is_none_or(|rank| rank >= 3) {
            misses.push(format!(
                "{:?}: got {:?}",
                judgement.query,
                &ranked[..ranked.len().min(3)]
            ));
        }
    }
    let mrr = reciprocal_ranks.iter().sum::<f64>() / reciprocal_ranks.len() as f64;
    let recall = recalls.iter().sum::<f64>() / recalls.len() as f64;
    eprintln!(
        "relevance over {} queries: MRR {mrr:.3}, recall@3 {recall:.3}",
        judgements.len()
    );
    for miss in &misses {
        eprintln!("  not in the top 3: {miss}");
    }
    assert!(mrr >= MIN_MRR, "MRR {mrr:.3} is below {MIN_MRR}");
    assert!(
        recall >= MIN_RECALL_AT_3,
        "recall@3 {recall:.3} is below {MIN_RECALL_AT_3}"
    );
}
