//! Recommendations follow the paper: from causes (named or described) to measures, with paths,
//! evidence and rationales; the evidence matrix maps answers and gaps.

use serde_json::{json, Value};

use crate::helpers::{error_codes, slugs, Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(
    every_cause_leads_to_the_prong_the_paper_pairs_it_with,
    bad_input_is_refused_and_nonsense_gets_nothing,
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

/// Situations as planners describe them, with the causes they must be read as (any of them) and
/// the prongs that may come first.
const SITUATIONS: &[(&str, &[&str], &[&str])] = &[
    (
        "很多贫困户因病致贫，孩子辍学",
        &["household-foundation-deficits"],
        &["cultivation"],
    ),
    (
        "村民等靠要思想严重，不愿意自己干",
        &["policy-execution-gap", "weak-will"],
        &["education"],
    ),
    (
        "贫困户脱贫意愿不强，整天晒太阳打麻将",
        &["weak-will"],
        &["education"],
    ),
    (
        "村里没有产业，年轻人找不到工作",
        &[
            "weak-industry-awareness",
            "poor-location",
            "weak-collective-economy",
        ],
        &["industry"],
    ),
    (
        "贫困户缺乏技能，只能干体力活",
        &["low-ability"],
        &["cultivation"],
    ),
    (
        "帮扶单位各自为政，资金项目分散",
        &["fragmented-aid"],
        &["organisation"],
    ),
    (
        "已经脱贫的家庭又返贫了",
        &["household-foundation-deficits"],
        &["long-term"],
    ),
    (
        "村集体经济是空壳村，合作社只挂牌子",
        &["weak-collective-economy"],
        &["industry", "organisation"],
    ),
    (
        "交通不便，耕地少，农田水利设施落后",
        &["poor-location", "farmland-constraints"],
        &["industry"],
    ),
    (
        "山地耕地贫瘠，难以机械化",
        &["farmland-constraints"],
        &["industry"],
    ),
    (
        "小额信贷和贷款不符合贫困户需求",
        &["mismatched-finance"],
        &["industry"],
    ),
    (
        "村里学校只有一位老师，孩子上学难",
        &["lack-of-education-opportunity"],
        &["cultivation"],
    ),
    (
        "农民不懂电商，缺少现代农业种植技术",
        &["low-ability", "no-modern-production"],
        &["cultivation", "industry"],
    ),
    (
        "家里有人残疾失能，全家都穷",
        &["household-foundation-deficits", "low-ability"],
        &["cultivation"],
    ),
    (
        "三变改革推不动，集体资源闲置",
        &["resource-activation-gap", "weak-collective-economy"],
        &["industry"],
    ),
    (
        "贫困户住的是危房",
        &["household-foundation-deficits"],
        &["cultivation", "long-term"],
    ),
    (
        "many households are poor because of illness and children drop out of school",
        &["household-foundation-deficits"],
        &["cultivation"],
    ),
    (
        "farmers wait for handouts and won't join the cooperative",
        &[
            "policy-execution-gap",
            "weak-will",
            "weak-industry-awareness",
            "weak-collective-economy",
        ],
        &["education", "industry", "organisation"],
    ),
    (
        "poor households have little will to escape poverty",
        &["weak-will"],
        &["education"],
    ),
    (
        "villagers are passive and rely on the government",
        &["weak-will"],
        &["education"],
    ),
    (
        "poor households lack skills and can only do manual work",
        &["low-ability"],
        &["cultivation"],
    ),
    (
        "aid is fragmented: funds and projects are scattered",
        &["fragmented-aid"],
        &["organisation"],
    ),
    (
        "families who escaped poverty relapse into poverty",
        &["household-foundation-deficits"],
        &["long-term"],
    ),
    (
        "the cooperatives exist only on paper",
        &["weak-collective-economy"],
        &["industry", "organisation"],
    ),
    (
        "poor roads and irrigation, little farmland",
        &["poor-location", "farmland-constraints"],
        &["industry"],
    ),
    (
        "steep mountain farmland that cannot be mechanised",
        &["farmland-constraints"],
        &["industry"],
    ),
    (
        "microcredit and loans do not fit poor households",
        &["mismatched-finance"],
        &["industry"],
    ),
    (
        "the village school has only one teacher",
        &["lack-of-education-opportunity"],
        &["cultivation"],
    ),
    (
        "farmers lack modern farming techniques and e-commerce skills",
        &["low-ability", "no-modern-production"],
        &["cultivation", "industry"],
    ),
    (
        "a disabled family member keeps the whole family poor",
        &["household-foundation-deficits", "low-ability"],
        &["cultivation"],
    ),
    (
        "collective land and assets sit idle, the three changes reform is stuck",
        &["resource-activation-gap", "weak-collective-economy"],
        &["industry"],
    ),
];

#[tokio::test]
async fn described_situations_are_read_and_answered_as_the_paper_would() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let mut failures = Vec::new();
    for (text, causes, prongs) in SITUATIONS {
        let result = recommend(&app, json!({ "text": text })).await;
        let matched = slugs(
            &result["matchedCauses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["cause"].clone())
                .collect::<Value>(),
        );
        if !matched.iter().any(|m| causes.contains(&m.as_str())) {
            failures.push(format!(
                "{text:?}: read as {matched:?}, expected one of {causes:?}"
            ));
        } else if !prongs.contains(&first_prong(&result).as_str()) {
            failures.push(format!(
                "{text:?}: first prong {}, expected one of {prongs:?}",
                first_prong(&result)
            ));
        }
        assert!(
            result["matchedCauses"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| !m["matchedTerms"].as_array().unwrap().is_empty()),
            "{text:?}: a described cause names its words"
        );
    }
    let zh = SITUATIONS
        .iter()
        .filter(|(t, _, _)| t.chars().any(|c| c > '\u{2e80}'))
        .count();
    assert!(
        zh >= 15 && SITUATIONS.len() - zh >= 15,
        "at least 15 situations in each language"
    );
    assert!(
        failures.is_empty(),
        "{} of {} situations:\n{}",
        failures.len(),
        SITUATIONS.len(),
        failures.join("\n")
    );
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
    ] {
        let result = recommend(&app, json!({ "text": text })).await;
        assert_eq!(
            result["matchedCauses"],
            json!([]),
            "{text:?} must not be guessed at"
        );
        assert_eq!(result["items"], json!([]), "{text:?}");
    }
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
