//! Relay connections: pages walk every row once, in order, and cursors resume where they stopped.

use serde_json::{json, Value};

use crate::helpers::{error_codes, Backend, TestApp};
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

/// Every order of the `cases` connection, as `orderBy` spells it.
const ORDERS: [&str; 5] = [
    "TITLE_ZH",
    "TITLE_EN",
    "CREATED_AT",
    "UPDATED_AT",
    "SOURCE_ORDER",
];

const CASES: &str =
    "query($first: Int, $after: String, $last: Int, $before: String, $orderBy: RecordOrder) {
    cases(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
        totalCount
        edges { cursor node { slug } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

async fn cases_page(app: &TestApp, variables: Value) -> Value {
    app.data(CASES, variables).await["cases"].clone()
}

fn edge_slugs(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["slug"].as_str().unwrap().to_string())
        .collect()
}

/// The whole list in one order, in one page.
async fn all_cases(app: &TestApp, order: &Value) -> Vec<String> {
    let page = cases_page(app, json!({ "first": 100, "orderBy": order })).await;
    assert_eq!(
        page["pageInfo"]["hasNextPage"], false,
        "the fixture fits one page"
    );
    edge_slugs(&page)
}

/// Walks the list forward with `first`/`after`, checking pageInfo on every page.
async fn walk_forward(app: &TestApp, order: &Value, size: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = cases_page(
            app,
            json!({ "first": size, "after": after, "orderBy": order }),
        )
        .await;
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        let slugs = edge_slugs(&page);
        assert!(slugs.len() <= size);
        let edges = page["edges"].as_array().unwrap();
        if let (Some(first), Some(last)) = (edges.first(), edges.last()) {
            assert_eq!(page["pageInfo"]["startCursor"], first["cursor"]);
            assert_eq!(page["pageInfo"]["endCursor"], last["cursor"]);
        }
        seen.extend(slugs);
        if page["pageInfo"]["hasNextPage"] == false {
            return seen;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Walks the list backward with `last`/`before`, from its end to its start.
async fn walk_backward(app: &TestApp, order: &Value, size: usize) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let page = cases_page(
            app,
            json!({ "last": size, "before": before, "orderBy": order }),
        )
        .await;
        assert_eq!(page["pageInfo"]["hasNextPage"], !before.is_null());
        let mut slugs = edge_slugs(&page);
        assert!(slugs.len() <= size);
        slugs.extend(seen);
        seen = slugs;
        if page["pageInfo"]["hasPreviousPage"] == false {
            return seen;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
}

on_every_backend!(every_order_pages_both_ways_over_every_row_once);

async fn every_order_pages_both_ways_over_every_row_once(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let source_order = all_cases(&app, &json!({ "field": "SOURCE_ORDER" })).await;
    assert!(
        source_order.len() > 10,
        "the fixture must span several pages"
    );
    let by_title = all_cases(&app, &json!({ "field": "TITLE_EN" })).await;
    assert_ne!(
        by_title, source_order,
        "ordering by title reorders the list"
    );
    let mut sorted = by_title.clone();
    sorted.sort();
    let mut all = source_order.clone();
    all.sort();
    assert_eq!(sorted, all, "every order holds the same rows");

    for field in ORDERS {
        let ascending = json!({ "field": field, "direction": "ASC" });
        let descending = json!({ "field": field, "direction": "DESC" });
        let up = all_cases(&app, &ascending).await;
        let mut down = all_cases(&app, &descending).await;
        down.reverse();
        assert_eq!(up, down, "{field}: DESC is ASC reversed (ties by id too)");
        for order in [&ascending, &descending] {
            let everything = all_cases(&app, order).await;
            assert_eq!(walk_forward(&app, order, 3).await, everything, "{order}");
            assert_eq!(walk_backward(&app, order, 4).await, everything, "{order}");
        }
    }

    // `last` alone is the end of the list; `before` alone pages back from a cursor.
    let order = json!({ "field": "TITLE_ZH" });
    let everything = all_cases(&app, &order).await;
    let tail = cases_page(&app, json!({ "last": 2, "orderBy": order })).await;
    assert_eq!(edge_slugs(&tail), everything[everything.len() - 2..]);
    assert_eq!(tail["pageInfo"]["hasNextPage"], false);
    assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
}

on_every_backend!(cursors_keep_their_place_when_rows_are_edited);

async fn cursors_keep_their_place_when_rows_are_edited(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let token = app.token("editor", policy_kb::auth::Role::Editor).await;
    let order = json!({ "field": "TITLE_EN", "direction": "ASC" });
    let everything = all_cases(&app, &order).await;
    let first = cases_page(&app, json!({ "first": 3, "orderBy": order })).await;
    let end_cursor = first["pageInfo"]["endCursor"].clone();

    // The row the cursor points at moves to the front of the list, and a row of the next page
    // moves behind the cursor: the next page still starts right after the cursor's place.
    for (slug, title) in [
        (&everything[2], "AAA moved first"),
        (&everything[4], "AAB moved back"),
    ] {
        let case = app
            .data(
                "query($slug: String!) { case(slug: $slug) { id version } }",
                json!({ "slug": slug }),
            )
            .await["case"]
            .clone();
        app.data_as(
            &token,
            "mutation($input: UpdateCaseInput!) { updateCase(input: $input) { version } }",
            json!({ "input": { "id": case["id"], "version": case["version"],
                "title": { "zh": "改名", "en": title } } }),
        )
        .await;
    }
    let next = cases_page(
        &app,
        json!({ "first": 3, "after": end_cursor, "orderBy": order }),
    )
    .await;
    let expected: Vec<String> = [&everything[3], &everything[5], &everything[6]]
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(edge_slugs(&next), expected);

    // Ordered by last edit, newest first, the edited rows lead.
    let recent = cases_page(
        &app,
        json!({ "first": 2, "orderBy": { "field": "UPDATED_AT", "direction": "DESC" } }),
    )
    .await;
    assert_eq!(
        edge_slugs(&recent),
        vec![everything[4].clone(), everything[2].clone()]
    );
}

on_every_backend!(conflicting_page_arguments_are_bad_user_input);

async fn conflicting_page_arguments_are_bad_user_input(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let page = cases_page(&app, json!({ "first": 2 })).await;
    let cursor = page["pageInfo"]["endCursor"].clone();
    for variables in [
        json!({ "first": 2, "last": 2 }),
        json!({ "after": cursor, "before": cursor }),
        json!({ "last": 0 }),
        json!({ "last": 101 }),
        json!({ "before": "garbage" }),
        // A cursor of one order is no place in another.
        json!({ "after": cursor, "orderBy": { "field": "TITLE_EN" } }),
    ] {
        let response = app.graphql(CASES, variables.clone()).await;
        assert_eq!(
            error_codes(&response),
            vec!["BAD_USER_INPUT"],
            "{variables}: {response}"
        );
    }
    // Connections under a record page both ways too.
    let response = app
        .data(
            "{ measures(first: 1) { nodes { casesConnection(last: 1, orderBy: {field: TITLE_EN, direction: DESC}) { pageInfo { hasPreviousPage } } } } }",
            json!({}),
        )
        .await;
    assert!(response["measures"]["nodes"][0]["casesConnection"]["pageInfo"].is_object());
}
