//! Bad input gets `BAD_USER_INPUT` with a message that says what is wrong, and nothing else leaks.

use serde_json::json;

use crate::helpers::{error_codes, Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(
    malformed_ids_cursors_and_page_sizes_are_bad_user_input,
    unknown_filter_slugs_are_bad_user_input_naming_them,
    parse_and_validation_errors_carry_a_code
);

async fn malformed_ids_cursors_and_page_sizes_are_bad_user_input(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let cases = [
        (r#"{ node(id: "not-an-id") { id } }"#, "id"),
        (r#"{ node(id: "") { id } }"#, "id"),
        (r#"{ node(id: "Tm9wZToy") { id } }"#, "id"),
        (r#"{ cases(after: "garbage") { totalCount } }"#, "after"),
        (r#"{ measures(after: "") { totalCount } }"#, "after"),
        ("{ causes(first: 0) { totalCount } }", "first"),
        ("{ regions(first: 101) { totalCount } }", "first"),
        ("{ statistics(first: -5) { totalCount } }", "first"),
    ];
    for (query, field) in cases {
        let response = app.graphql(query, json!({})).await;
        assert_eq!(
            error_codes(&response),
            ["BAD_USER_INPUT"],
            "{query}: {response}"
        );
        assert_eq!(
            response["errors"][0]["extensions"]["field"], field,
            "{query}"
        );
        assert_eq!(response["data"], serde_json::Value::Null);
    }
    // The bounds themselves are fine.
    for first in [1, 100] {
        let response = app
            .graphql(
                "query($n: Int) { cases(first: $n) { totalCount } }",
                json!({ "n": first }),
            )
            .await;
        assert!(response.get("errors").is_none(), "{response}");
    }
}

async fn unknown_filter_slugs_are_bad_user_input_naming_them(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    for (filter, field) in [
        ("strategy", "filter.strategy"),
        ("dimension", "filter.dimension"),
        ("cause", "filter.cause"),
        ("region", "filter.region"),
    ] {
        let response = app
            .graphql(
                "query($f: RecordFilter) { cases(filter: $f) { totalCount } }",
                json!({ "f": { filter: "atlantis" } }),
            )
            .await;
        assert_eq!(error_codes(&response), ["BAD_USER_INPUT"]);
        assert!(
            response["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("'atlantis'"),
            "{response}"
        );
        assert_eq!(response["errors"][0]["extensions"]["field"], field);
    }
}

async fn parse_and_validation_errors_carry_a_code(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    for query in [
        "{ cases { ",
        "{ noSuchField }",
        "{ cases(first: \"ten\") { totalCount } }",
        "query($x: Int!) { cases(first: $x) { totalCount } }",
    ] {
        let response = app.graphql(query, json!({})).await;
        let codes = error_codes(&response);
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c == "BAD_USER_INPUT"),
            "{query}: {response}"
        );
        assert!(response["errors"][0]["message"].as_str().is_some());
    }
}
