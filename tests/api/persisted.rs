//! Persisted documents: Automatic Persisted Queries as Apollo and urql clients speak them (over
//! POST and GET), and the trusted-documents switch.

use serde_json::{json, Value};

use crate::helpers::{error_codes, sha256, Backend, TestApp};

const QUERY: &str = "query Prongs { strategies { slug } }";

fn persisted(document: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(document) } })
}

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn get(app: &TestApp, query: Option<&str>, extensions: &Value) -> (u16, Value) {
    let mut params = vec![("extensions", extensions.to_string())];
    if let Some(query) = query {
        params.push(("query", query.to_string()));
    }
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&params)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn assert_not_found(status: u16, response: &Value) {
    assert_eq!(status, 200, "{response}");
    assert_eq!(error_codes(response), vec!["PERSISTED_QUERY_NOT_FOUND"]);
    assert_eq!(response["errors"][0]["message"], "PersistedQueryNotFound");
}

#[tokio::test]
async fn automatic_persisted_queries_over_post_and_get() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let extensions = persisted(QUERY);

    // The client's first try: the hash alone.
    let (status, response) = post(&app, json!({ "extensions": extensions })).await;
    assert_not_found(status, &response);
    // Its retry: the query with its hash, which registers it.
    let (status, response) = post(&app, json!({ "query": QUERY, "extensions": extensions })).await;
    assert_eq!(status, 200);
    assert_eq!(response["data"]["strategies"][0]["slug"], "education");
    // From now on the hash is enough, over POST and GET.
    let (_, response) = post(&app, json!({ "extensions": extensions })).await;
    assert_eq!(response["data"]["strategies"][0]["slug"], "education");
    let (_, response) = get(&app, None, &extensions).await;
    assert_eq!(response["data"]["strategies"][0]["slug"], "education");

    // Registration over GET too (Apollo's `useGETForHashedQueries`).
    let other = "{ dimensions { slug } }";
    let (status, response) = get(&app, None, &persisted(other)).await;
    assert_not_found(status, &response);
    get(&app, Some(other), &persisted(other)).await;
    let (_, response) = get(&app, None, &persisted(other)).await;
    assert!(response["data"]["dimensions"].is_array(), "{response}");
}

#[tokio::test]
async fn persisted_queries_meet_the_same_rules() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    // A query whose hash is another's.
    let (status, response) = post(
        &app,
        json!({ "query": "{ sources { slug } }", "extensions": persisted(QUERY) }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&response), vec!["BAD_USER_INPUT"]);
    // Malformed extensions.
    for extensions in [
        json!({ "persistedQuery": { "version": 2, "sha256Hash": sha256(QUERY) } }),
        json!({ "persistedQuery": { "version": 1, "sha256Hash": "not-a-hash" } }),
    ] {
        let (status, response) = post(&app, json!({ "extensions": extensions })).await;
        assert_eq!(status, 400, "{response}");
        assert_eq!(error_codes(&response), vec!["BAD_USER_INPUT"]);
    }
    // A document over the edge's limits is refused and not remembered.
    let aliases: String = (0..40)
        .map(|n| format!("a{n}: strategies {{ slug }} "))
        .collect();
    let greedy = format!("{{ {aliases} }}");
    let (_, response) = post(
        &app,
        json!({ "query": greedy, "extensions": persisted(&greedy) }),
    )
    .await;
    assert_eq!(error_codes(&response), vec!["BAD_USER_INPUT"]);
    let (status, response) = post(&app, json!({ "extensions": persisted(&greedy) })).await;
    assert_not_found(status, &response);
    // A mutation named by hash over GET is still refused.
    let mutation = "mutation { deleteCase(input: { id: \"Q2FzZToxMA\", version: 1 }) }";
    post(
        &app,
        json!({ "query": mutation, "extensions": persisted(mutation) }),
    )
    .await;
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", persisted(mutation).to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn trusted_documents_run_only_the_registered_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trusted.json");
    std::fs::write(&path, json!({ sha256(QUERY): QUERY }).to_string()).unwrap();
    let app = TestApp::spawn_edge(|edge| edge.trusted_documents = Some(path.clone())).await;

    let (_, response) = post(&app, json!({ "extensions": persisted(QUERY) })).await;
    assert_eq!(response["data"]["strategies"][0]["slug"], "education");
    let (_, response) = post(&app, json!({ "query": QUERY })).await;
    assert_eq!(response["data"]["strategies"][0]["slug"], "education");

    let other = "{ sources { slug } }";
    let (status, response) = post(&app, json!({ "query": other })).await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&response), vec!["FORBIDDEN"]);
    // An unknown hash cannot be registered by sending its query.
    let (status, response) = post(&app, json!({ "extensions": persisted(other) })).await;
    assert_not_found(status, &response);
    let (_, response) = post(
        &app,
        json!({ "query": other, "extensions": persisted(other) }),
    )
    .await;
    assert_eq!(error_codes(&response), vec!["FORBIDDEN"]);
}
