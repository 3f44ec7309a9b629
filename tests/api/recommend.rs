//! Recommendations follow the paper: from causes (named or described) to measures, with paths,
//! evidence and rationales; the evidence matrix maps answers and gaps.

use serde_json::{json, Value};

use crate::helpers::{error_codes, slugs, Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(
    every_cause_leads_to_the_prong_the_paper_pairs_it_with,
    bad_input_is_refused_and_nonsense_gets_nothing,
    planners_words_are_understood_through_aliases,
    the_evidence_matrix_maps_answers_and_gaps
);

const RECOMMEND: &str = "query($input: RecommendInput!) { recommend(input: $input) {
    matchedCauses { cause { slug } score matchedTerms }
    items { measure { slug } strategy { slug } score paths { steps { kind slug title { zh en } } } cases { slug region { slug } } evidence { slug value } rationale { zh en } }
} }";

async fn recommend(app: &TestApp, input: Value) -> Value {
    app.data(RECOMMEND, json!({ "input": input })).await["recommend"].clone()
}

fn first_prong(result: &Value) -> String {
    result["items"][0]["strategy"]["slug"]
        .as_str()
        .unwrap_or("<none>")
        .to_string()
}

/// Every factor (and group), by the prong the paper pairs its kind of poverty with. Where a factor
/// feeds two kinds of poverty, either prong is right.
const PRONG_OF_CAUSE: &[(&str, &[&str])] = &[
    ("poor-location", &["industry"]),
    ("weak-collective-economy", &["industry", "organisation"]),
    ("lack-of-education-opportunity", &["cultivation"]),
    ("household-foundation-deficits", &["cultivation"]),
    ("low-ability", &["cultivation"]),
    ("weak-will", &["education"]),
    ("weak-industry-awareness", &["education", "industry"]),
    ("policy-execution-gap", &["education", "organisation"]),
    ("resource-activation-gap", &["industry", "organisation"]),
    ("farmland-constraints", &["industry"]),
    ("fragmented-aid", &["organisation"]),
    ("no-modern-production", &["cultivation", "industry"]),
    ("mismatched-finance", &["industry"]),
    (
        "weak-basic-conditions",
        &["industry", "cultivation", "organisation"],
    ),
    ("lack-of-confidence", &["education", "cultivation"]),
    (
        "weak-blood-making-policy",
        &["industry", "education", "organisation"],
    ),
    (
        "blocked-transfusion-channels",
        &["organisation", "industry", "cultivation"],
    ),
];

async fn every_cause_leads_to_the_prong_the_paper_pairs_it_with(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let all = app
        .data("{ causes(first: 100) { nodes { slug } } }", json!({}))
        .await;
    assert_eq!(
        all["causes"]["nodes"].as_array().unwrap().len(),
        PRONG_OF_CAUSE.len(),
        "every cause is covered here"
    );
    for (cause, prongs) in PRONG_OF_CAUSE {
        let result = recommend(&app, json!({ "causes": [cause] })).await;
        assert_eq!(result["matchedCauses"][0]["cause"]["slug"], *cause);
        assert!(
            prongs.contains(&first_prong(&result).as_str()),
            "{cause}: first prong {} not in {prongs:?}",
            first_prong(&result)
        );
        for item in result["items"].as_array().unwrap() {
            assert!(
                !item["paths"].as_array().unwrap().is_empty(),
                "{cause}: every item has a path"
            );
            for path in item["paths"].as_array().unwrap() {
                let kinds: Vec<&str> = path["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["kind"].as_str().unwrap())
                    .collect();
                assert_eq!(kinds.first(), Some(&"CAUSE"));
                assert!(
                    kinds.contains(&"STRATEGY") && kinds.contains(&"MEASURE"),
                    "{kinds:?}"
                );
                assert_eq!(
                    path["steps"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|s| s["kind"] == "MEASURE")
                        .unwrap()["slug"],
                    item["measure"]["slug"]
                );
            }
            assert!(
                !item["rationale"]["zh"].as_str().unwrap().is_empty()
                    && !item["rationale"]["en"].as_str().unwrap().is_empty()
            );
        }
    }
    // Evidence: the survey figures behind the cause.
    let illness = recommend(&app, json!({ "causes": ["household-foundation-deficits"] })).await;
    let evidence: Vec<&str> = illness["items"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert!(evidence.contains(&"illness-causes-poverty"), "{evidence:?}");
    assert!(illness["items"][0]["rationale"]["en"]
        .as_str()
        .unwrap()
        .contains("37.62%"));
    // Same input, same output.
    assert_eq!(
        recommend(&app, json!({ "causes": ["weak-will"], "text": "孩子辍学" })).await,
        recommend(&app, json!({ "causes": ["weak-will"], "text": "孩子辍学" })).await
    );
    // A region puts its own cases first.
    let fuling = recommend(
        &app,
        json!({ "causes": ["weak-will"], "region": "fuling", "first": 20 }),
    )
    .await;
    let stories = fuling["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["measure"]["slug"] == "tell-poverty-exit-stories")
        .expect("the stories measure");
    assert!(["lidu-li-wei", "tianbaosi-zhang-wenmo"]
        .contains(&stories["cases"][0]["slug"].as_str().unwrap()));
}

async fn bad_input_is_refused_and_nonsense_gets_nothing(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    for (input, field, needle) in [
        (json!({}), "input", "causes"),
        (
            json!({ "causes": ["no-such-cause"] }),
            "input.causes",
            "no-such-cause",
        ),
        (
            json!({ "causes": ["weak-will"], "region": "atlantis" }),
            "input.region",
            "atlantis",
        ),
        (
            json!({ "causes": ["weak-will"], "first": 0 }),
            "input.first",
            "between",
        ),
        (json!({ "text": "村".repeat(1001) }), "input.text", "1000"),
    ] {
        let response = app.graphql(RECOMMEND, json!({ "input": input })).await;
        assert_eq!(
            error_codes(&response),
            ["BAD_USER_INPUT"],
            "{input}: {response}"
        );
        assert_eq!(response["errors"][0]["extensions"]["field"], field);
        assert!(response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(needle));
    }
    for text in [
        "",
        "   ",
        "asdfgh qwerty zxcv",
        "🐔🐔🐔",
        "贫困",
        "poverty alleviation for poor households",
        "！？。",
        "今天天气很好，我们去公园散步",
    ] {
        let result = recommend(&app, json!({ "text": text })).await;
        assert_eq!(
            result["matchedCauses"],
            json!([]),
            "{text:?} must not be guessed at"
        );
        assert_eq!(result["items"], json!([]), "{text:?}");
    }
    // What was read is said, so a planner sees why nothing came back.
    let weather = app
        .data(
            "{ recommend(input: { text: \"今天天气很好，我们去公園散步\" }) { understood read } }",
            json!({}),
        )
        .await["recommend"]
        .clone();
    assert_eq!(weather["understood"], false);
    let read: Vec<&str> = weather["read"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(read.contains(&"公园") && read.contains(&"散步"), "{read:?}");
}

/// The examples: words planners use reach the right prong through aliases, single
/// characters never count, and every match names the alias and the record it belongs to.
async fn planners_words_are_understood_through_aliases(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let query = "query($t: String!) { recommend(input: { text: $t }) {
        understood
        matchedCauses { cause { slug } matchedTerms }
        matchedTerms { term name kind slug node { id } }
        items { strategy { slug } }
    } }";
    let committee = app
        .data(query, json!({ "t": "村两委班子老化，党支部没有战斗力" }))
        .await["recommend"]
        .clone();
    assert_eq!(committee["understood"], true);
    assert_eq!(first_prong(&committee), "organisation", "{committee:#}");
    assert!(
        !slugs(
            &committee["matchedCauses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["cause"].clone())
                .collect::<Value>()
        )
        .contains(&"lack-of-education-opportunity".to_string()),
        "no match on single characters: {committee:#}"
    );
    let terms = committee["matchedTerms"].as_array().unwrap();
    assert!(!terms.is_empty());
    for term in terms {
        assert!(
            term["term"].as_str().unwrap().chars().count() >= 2,
            "{term}"
        );
        assert!(term["node"]["id"].is_string(), "{term}");
    }
    assert!(terms
        .iter()
        .any(|t| t["kind"] == "STRATEGY" && t["slug"] == "organisation"));

    // Traditional characters read as simplified.
    let dropout = app
        .data(query, json!({ "t": "孩子反覆輟學，家裡供不起讀書" }))
        .await["recommend"]
        .clone();
    assert_eq!(first_prong(&dropout), "cultivation", "{dropout:#}");

    let relapse = app
        .data(
            query,
            json!({ "t": "households that recently left poverty could fall back after a health shock" }),
        )
        .await["recommend"]
        .clone();
    assert_eq!(first_prong(&relapse), "long-term", "{relapse:#}");
}

async fn the_evidence_matrix_maps_answers_and_gaps(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let query = "query($f: EvidenceFilter) { evidenceMatrix(filter: $f) { strategies { slug } gapCount rows { cause { slug } isGroup cells { strategy { slug } measures { slug } cases { slug region { slug } } measureCount caseCount gap } } } }";
    let matrix = app.data(query, json!({})).await["evidenceMatrix"].clone();
    assert_eq!(
        slugs(&matrix["strategies"]),
        [
            "education",
            "cultivation",
            "organisation",
            "industry",
            "long-term"
        ]
    );
    let rows = matrix["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 17, "four groups and their thirteen factors");
    assert_eq!(rows[0]["isGroup"], true);
    let mut gaps = 0;
    for row in rows {
        for cell in row["cells"].as_array().unwrap() {
            assert_eq!(
                cell["measureCount"].as_u64().unwrap() as usize,
                cell["measures"].as_array().unwrap().len()
            );
            assert_eq!(
                cell["caseCount"].as_u64().unwrap() as usize,
                cell["cases"].as_array().unwrap().len()
            );
            assert_eq!(cell["gap"], cell["measures"].as_array().unwrap().is_empty());
            gaps += u64::from(cell["gap"] == true);
        }
    }
    assert_eq!(matrix["gapCount"], gaps);
    assert!(
        gaps > 0,
        "the paper does not answer every cause with every prong"
    );
    let fragmented = rows
        .iter()
        .find(|r| r["cause"]["slug"] == "fragmented-aid")
        .unwrap();
    let organisation = fragmented["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["strategy"]["slug"] == "organisation")
        .unwrap();
    assert!(slugs(&organisation["measures"]).contains(&"integrate-aid-resources".to_string()));

    let local = app
        .data(
            query,
            json!({ "f": { "region": "fuling", "cause": "lack-of-confidence" } }),
        )
        .await["evidenceMatrix"]
        .clone();
    assert_eq!(
        local["rows"].as_array().unwrap().len(),
        4,
        "a group and its three factors"
    );
    for row in local["rows"].as_array().unwrap() {
        for cell in row["cells"].as_array().unwrap() {
            for case in cell["cases"].as_array().unwrap() {
                assert!([
                    "fuling",
                    "lidu-subdistrict",
                    "dashun-township",
                    "tianbaosi-village"
                ]
                .contains(&case["region"]["slug"].as_str().unwrap()));
            }
        }
    }
    let bad = app
        .graphql(query, json!({ "f": { "region": "atlantis" } }))
        .await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"]);
}
