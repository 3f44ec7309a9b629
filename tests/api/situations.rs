//! Situations as planners describe them (tests/situations/situations.yaml): the prong that
//! should lead, the causes that should be read, and texts about nothing in the knowledge base,
//! which must get no recommendation at all.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::helpers::{slugs, Backend, TestApp};

/// The bars this suite holds recommendations to.
const MIN_TOP_1: f64 = 0.90;
const MIN_TOP_3: f64 = 0.97;

#[derive(Deserialize)]
struct Situation {
    text: String,
    /// Strategy slugs; any of them leading counts.
    prongs: Vec<String>,
    /// Cause slugs; at least one must be matched (none expected when empty).
    causes: Vec<String>,
    region: Option<String>,
}

#[derive(Deserialize)]
struct Set {
    situations: Vec<Situation>,
    unrelated: Vec<String>,
}

const RECOMMEND: &str = "query($input: RecommendInput!) { recommend(input: $input) {
    understood read
    matchedCauses { cause { slug } }
    matchedTerms { term kind slug }
    items { strategy { slug } }
} }";

#[tokio::test]
async fn planners_situations_lead_to_the_right_prong_and_unrelated_texts_to_nothing() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/situations/situations.yaml");
    let set: Set = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        set.situations.len() >= 80,
        "the set needs at least 80 situations"
    );
    assert!(set.unrelated.len() >= 30, "and at least 30 unrelated texts");
    let app = TestApp::spawn(&Backend::Sqlite).await;

    let (mut top_1, mut top_3, mut failures) = (0, 0, Vec::new());
    for situation in &set.situations {
        let mut input = json!({ "text": situation.text });
        if let Some(region) = &situation.region {
            input["region"] = json!(region);
        }
        let result = app.data(RECOMMEND, json!({ "input": input })).await["recommend"].clone();
        let prongs: Vec<String> = result["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["strategy"]["slug"].as_str().unwrap().to_string())
            .collect();
        let causes = slugs(
            &result["matchedCauses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["cause"].clone())
                .collect::<Value>(),
        );
        let read_right =
            situation.causes.is_empty() || causes.iter().any(|c| situation.causes.contains(c));
        let leads = prongs.first().is_some_and(|p| situation.prongs.contains(p));
        let near = prongs.iter().take(3).any(|p| situation.prongs.contains(p));
        top_1 += usize::from(leads && read_right);
        top_3 += usize::from(near && read_right);
        if !(leads && read_right) {
            failures.push(format!(
                "{:?}: prongs {:?} (expected {:?}), causes {:?} (expected one of {:?})",
                situation.text,
                &prongs[..prongs.len().min(3)],
                situation.prongs,
                &causes[..causes.len().min(3)],
                situation.causes
            ));
        }
    }
    let mut answered_unrelated = Vec::new();
    for text in &set.unrelated {
        let result = app
            .data(RECOMMEND, json!({ "input": { "text": text } }))
            .await["recommend"]
            .clone();
        if result["items"] != json!([]) || result["matchedCauses"] != json!([]) {
            answered_unrelated.push(format!("{text:?}: {}", result["matchedTerms"]));
        }
        assert_eq!(result["understood"], false, "{text:?}");
    }

    let n = set.situations.len() as f64;
    let (top_1, top_3) = (top_1 as f64 / n, top_3 as f64 / n);
    eprintln!(
        "situations: {} described, expected prong first {top_1:.3}, in the top 3 {top_3:.3}; {} of {} unrelated texts answered",
        set.situations.len(),
        answered_unrelated.len(),
        set.unrelated.len()
    );
    for failure in failures.iter().chain(&answered_unrelated) {
        eprintln!("  {failure}");
    }
    assert!(top_1 >= MIN_TOP_1, "top-1 {top_1:.3} is below {MIN_TOP_1}");
    assert!(top_3 >= MIN_TOP_3, "top-3 {top_3:.3} is below {MIN_TOP_3}");
    assert!(
        answered_unrelated.is_empty(),
        "unrelated texts got recommendations"
    );
}
