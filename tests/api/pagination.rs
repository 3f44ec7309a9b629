//! Relay connections: pages walk every row once, in order, and cursors resume where they stopped.

use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(pages_walk_every_row_exactly_once);

async fn pages_walk_every_row_exactly_once(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let query = "query($after: String) { regions(first: 2, after: $after) { totalCount edges { cursor node { slug } } nodes { slug } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let everything = app
        .data(
            "{ regions(first: 100) { totalCount nodes { slug } } }",
            json!({}),
        )
        .await;
    let total = everything["regions"]["totalCount"].as_u64().unwrap();
    assert!(total > 2, "the fixture must span several pages");

    let mut seen = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let page = app.data(query, json!({ "after": after })).await["regions"].clone();
        assert_eq!(
            page["totalCount"].as_u64().unwrap(),
            total,
            "totalCount counts all pages"
        );
        let edges = page["edges"].as_array().unwrap();
        assert!(edges.len() <= 2);
        assert_eq!(
            page["nodes"].as_array().unwrap().len(),
            edges.len(),
            "nodes mirror edges"
        );
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        seen.extend(
            edges
                .iter()
                .map(|e| e["node"]["slug"].as_str().unwrap().to_string()),
        );
        if edges.is_empty() {
            break;
        }
        assert_eq!(
            page["pageInfo"]["endCursor"],
            edges.last().unwrap()["cursor"]
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<String> = everything["regions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["slug"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, expected);
}
