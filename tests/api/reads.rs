//! Every type, field and relation of the read API is reachable, on the bundled knowledge base.

use serde_json::{json, Value};

use crate::helpers::{slugs, Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(
    strategies_come_in_order_with_their_dimension_and_measures,
    relations_are_reachable_both_ways,
    every_node_resolves_by_its_global_id,
    lookups_return_null_when_absent,
    filters_follow_the_links,
    sources_and_statistics_carry_their_fields
);

const TEXT: &str = "{ zh en }";

async fn strategies_come_in_order_with_their_dimension_and_measures(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let data = app.data(&format!("{{ strategies {{ slug position name {TEXT} aim {TEXT} summary {TEXT} dimension {{ slug strategies {{ slug }} }} measures {{ slug strategy {{ slug }} }} }} }}"), json!({})).await;
    let strategies = data["strategies"].as_array().unwrap();
    assert_eq!(
        slugs(&data["strategies"]),
        [
            "education",
            "cultivation",
            "organisation",
            "industry",
            "long-term"
        ]
    );
    let positions: Vec<i64> = strategies
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2, 3, 4, 5]);
    // The paper's stated pairs: each prong answers one kind of poverty; the long-term prong none.
    let dimensions: Vec<Value> = strategies
        .iter()
        .map(|s| s["dimension"]["slug"].clone())
        .collect();
    assert_eq!(
        dimensions,
        [
            json!("awareness-poverty"),
            json!("capability-poverty"),
            json!("governance-poverty"),
            json!("opportunity-poverty"),
            Value::Null
        ]
    );
    for strategy in strategies {
        assert!(
            !strategy["name"]["zh"].as_str().unwrap().is_empty()
                && !strategy["name"]["en"].as_str().unwrap().is_empty()
        );
        for measure in strategy["measures"].as_array().unwrap() {
            assert_eq!(
                measure["strategy"]["slug"], strategy["slug"],
                "measure.strategy must lead back"
            );
        }
        if let Some(dimension) = strategy["dimension"].as_object() {
            assert!(
                slugs(&dimension["strategies"])
                    .contains(&strategy["slug"].as_str().unwrap().to_string()),
                "dimension.strategies must lead back"
            );
        }
    }
}

async fn relations_are_reachable_both_ways(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let query = r#"{
        case(slug: "fengdu-one-chicken") {
            slug title { zh en } summary { en } actions { en } outcomes { en } year version
            region { slug level name { zh } parent { slug children { slug } } cases { slug } }
            measures { slug title { en } summary { en } cases { slug }
                causes { slug isGroup parent { slug children { slug } } measures { slug } dimensions { slug causes { slug } } } }
            citations { slug section { zh en } excerpt { zh en } figure source { slug } }
        }
        region(slug: "wushan") { zone { zh en } indicators { slug name { zh en } value unit { zh en } year note { en } region { slug } citations { slug } } }
        cause(slug: "household-foundation-deficits") { statistics { slug cause { slug } } summary { en } }
        dimension(slug: "awareness-poverty") { name { en } summary { en } statistics { slug dimension { slug } } citations { slug } }
    }"#;
    let data = app.data(query, json!({})).await;
    let case = &data["case"];
    assert_eq!(case["region"]["slug"], "fengdu");
    assert_eq!(case["region"]["parent"]["slug"], "chongqing");
    assert!(slugs(&case["region"]["parent"]["children"]).contains(&"fengdu".to_string()));
    assert!(
        slugs(&case["region"]["cases"]).contains(&"fengdu-one-chicken".to_string()),
        "region.cases must lead back"
    );
    let measure = &case["measures"][0];
    assert_eq!(measure["slug"], "industry-planning");
    assert!(
        slugs(&measure["cases"]).contains(&"fengdu-one-chicken".to_string()),
        "measure.cases must lead back"
    );
    let cause = &measure["causes"][0];
    assert_eq!(cause["slug"], "poor-location");
    assert_eq!(cause["isGroup"], false);
    assert_eq!(cause["parent"]["slug"], "weak-basic-conditions");
    assert!(slugs(&cause["parent"]["children"]).contains(&"poor-location".to_string()));
    assert!(
        slugs(&cause["measures"]).contains(&"industry-planning".to_string()),
        "cause.measures must lead back"
    );
    assert_eq!(slugs(&cause["dimensions"]), ["opportunity-poverty"]);
    assert!(
        slugs(&cause["dimensions"][0]["causes"]).contains(&"poor-location".to_string()),
        "dimension.causes must lead back"
    );
    let citation = &case["citations"][0];
    assert_eq!(
        citation["source"]["slug"],
        "he-shichang-endogenous-motivation"
    );
    assert!(citation["excerpt"]["zh"]
        .as_str()
        .unwrap()
        .contains("从鸡蛋到深加工"));

    let indicators = data["region"]["indicators"].as_array().unwrap();
    let income: Vec<(i64, f64)> = indicators
        .iter()
        .filter(|i| i["slug"].as_str().unwrap().contains("income"))
        .map(|i| (i["year"].as_i64().unwrap(), i["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(income, [(2014, 6935.0), (2019, 11229.0)]);
    assert!(
        indicators
            .iter()
            .all(|i| i["region"]["slug"] == "wushan"
                && !i["citations"].as_array().unwrap().is_empty())
    );

    let statistics = data["cause"]["statistics"].as_array().unwrap();
    assert!(statistics
        .iter()
        .any(|s| s["slug"] == "illness-causes-poverty"));
    assert!(statistics
        .iter()
        .all(|s| s["cause"]["slug"] == "household-foundation-deficits"));
    assert!(data["dimension"]["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["dimension"]["slug"] == "awareness-poverty"));
}

async fn every_node_resolves_by_its_global_id(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let listing = app
        .data(
            r#"{ sources { id } strategies { id } dimensions { id }
                 causes(first: 100) { nodes { id } } measures(first: 100) { nodes { id } } cases(first: 100) { nodes { id citations { id } } }
                 regions(first: 100) { nodes { id indicators { id } } } statistics(first: 100) { nodes { id } } glossary { id } }"#,
            json!({}),
        )
        .await;
    let mut ids: Vec<(String, String)> = Vec::new();
    let mut collect = |typename: &str, list: &Value| {
        for item in list.as_array().unwrap() {
            ids.push((
                typename.to_string(),
                item["id"].as_str().unwrap().to_string(),
            ));
        }
    };
    collect("Source", &listing["sources"]);
    collect("Strategy", &listing["strategies"]);
    collect("Dimension", &listing["dimensions"]);
    collect("Cause", &listing["causes"]["nodes"]);
    collect("Measure", &listing["measures"]["nodes"]);
    collect("Case", &listing["cases"]["nodes"]);
    collect("Citation", &listing["cases"]["nodes"][0]["citations"]);
    collect("Region", &listing["regions"]["nodes"]);
    collect(
        "Indicator",
        &listing["regions"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["indicators"].as_array().unwrap().clone())
            .collect::<Value>(),
    );
    collect("Statistic", &listing["statistics"]["nodes"]);
    collect("GlossaryTerm", &listing["glossary"]);
    collect("GlossaryTerm", &listing["glossary"]);
    let kinds: std::collections::BTreeSet<&str> = ids.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        kinds.len(),
        11,
        "the bundled data must hold every node type: {kinds:?}"
    );
    for (typename, id) in &ids {
        let data = app
            .data(
                "query($id: ID!) { node(id: $id) { __typename id ... on Case { slug } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["node"]["__typename"], typename.as_str());
        assert_eq!(data["node"]["id"], id.as_str());
    }
    // A well-formed ID of a row that does not exist is null, not an error.
    let data = app
        .data(r#"{ node(id: "Q2FzZTo5OTk5OTk") { id } }"#, json!({}))
        .await;
    assert_eq!(data["node"], Value::Null);
}

async fn lookups_return_null_when_absent(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let data = app
        .data(r#"{ strategy(slug: "nope") { slug } dimension(slug: "nope") { slug } cause(slug: "nope") { slug } measure(slug: "NOT A SLUG") { slug } case(slug: "nope") { slug } region(slug: "nope") { slug } }"#, json!({}))
        .await;
    for field in [
        "strategy",
        "dimension",
        "cause",
        "measure",
        "case",
        "region",
    ] {
        assert_eq!(data[field], Value::Null, "{field}");
    }
    let data = app.data(r#"{ strategy(slug: "industry") { slug } dimension(slug: "capability-poverty") { slug } measure(slug: "rural-infrastructure") { slug } }"#, json!({})).await;
    assert_eq!(data["strategy"]["slug"], "industry");
    assert_eq!(data["dimension"]["slug"], "capability-poverty");
    assert_eq!(data["measure"]["slug"], "rural-infrastructure");
}

async fn filters_follow_the_links(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let count = |data: &Value, field: &str| data[field]["totalCount"].as_u64().unwrap();
    let query = r#"query($f: RecordFilter) {
        causes(filter: $f, first: 100) { totalCount nodes { slug } }
        measures(filter: $f, first: 100) { totalCount nodes { slug strategy { slug } } }
        cases(filter: $f, first: 100) { totalCount nodes { slug } }
        regions(filter: $f, first: 100) { totalCount nodes { slug } }
        statistics(filter: $f, first: 100) { totalCount nodes { slug } }
    }"#;
    let all = app.data(query, json!({ "f": null })).await;

    let industry = app
        .data(query, json!({ "f": { "strategy": "industry" } }))
        .await;
    assert!(industry["measures"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["strategy"]["slug"] == "industry"));
    assert!(count(&industry, "measures") < count(&all, "measures"));
    assert!(slugs(&industry["cases"]["nodes"]).contains(&"fengdu-one-chicken".to_string()));
    assert!(slugs(&industry["causes"]["nodes"]).contains(&"poor-location".to_string()));
    assert!(slugs(&industry["regions"]["nodes"]).contains(&"fengdu".to_string()));

    // A region stands for everything inside it: Shizhu holds Tongxin village's case.
    let shizhu = app
        .data(query, json!({ "f": { "region": "shizhu" } }))
        .await;
    assert_eq!(
        slugs(&shizhu["cases"]["nodes"]),
        ["shizhu-tongxin-drinking-water-association"]
    );
    assert_eq!(
        slugs(&shizhu["regions"]["nodes"]),
        ["shizhu", "hezui-township", "tongxin-village"]
    );

    // A cause group stands for its factors.
    let group = app
        .data(query, json!({ "f": { "cause": "weak-basic-conditions" } }))
        .await;
    assert!(slugs(&group["causes"]["nodes"]).contains(&"weak-basic-conditions".to_string()));
    assert!(slugs(&group["causes"]["nodes"]).contains(&"poor-location".to_string()));
    assert!(slugs(&group["statistics"]["nodes"]).contains(&"illness-causes-poverty".to_string()));
    assert!(slugs(&group["measures"]["nodes"]).contains(&"industry-planning".to_string()));

    let awareness = app
        .data(query, json!({ "f": { "dimension": "awareness-poverty" } }))
        .await;
    assert!(slugs(&awareness["causes"]["nodes"]).contains(&"weak-will".to_string()));
    assert!(awareness["measures"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["strategy"]["slug"] == "education"));

    // Filters combine with AND.
    let none = app
        .data(
            query,
            json!({ "f": { "strategy": "education", "region": "fengdu" } }),
        )
        .await;
    assert_eq!(count(&none, "cases"), 0);

    let groups = app
        .data(
            "{ causes(topLevel: true, first: 100) { nodes { slug isGroup } } }",
            json!({}),
        )
        .await;
    assert!(groups["causes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["isGroup"] == true));
    let villages = app
        .data(
            r#"{ regions(level: "village") { nodes { slug level } } }"#,
            json!({}),
        )
        .await;
    let villages = &villages["regions"]["nodes"];
    assert!(villages
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["level"] == "village"));
    assert!(slugs(villages).contains(&"tongxin-village".to_string()));
    let figure5 = app
        .data("{ statistics(figure: 5) { nodes { figure } } }", json!({}))
        .await;
    assert!(figure5["statistics"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["figure"] == 5));
}

async fn sources_and_statistics_carry_their_fields(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let data = app
        .data(
            r#"{ sources { slug version title { zh en } authors { zh en } institution { zh en } year citation { zh en } summary { zh en } }
                 statistic(slug: "helpers-weak-will") { figure series { zh en } label { zh en } value unit { zh en } respondent sample region { slug } citations { figure } } }"#,
            json!({}),
        )
        .await;
    let source = &data["sources"][0];
    assert_eq!(source["authors"]["zh"], "何侍昌");
    assert_eq!(source["version"], 1);
    let statistic = &data["statistic"];
    assert_eq!(statistic["figure"], 1);
    assert_eq!(statistic["value"], 58.7);
    assert_eq!(statistic["respondent"], "HELPERS");
    assert_eq!(statistic["citations"][0]["figure"], 1);
}
