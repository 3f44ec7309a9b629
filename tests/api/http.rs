//! The HTTP surface around GraphQL: GET queries, GraphiQL, the SDL, health and readiness.

use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(graphql_answers_get_queries, service_endpoints_answer);

async fn graphql_answers_get_queries(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let response = app
        .get("/graphql?query=%7B%20strategies%20%7B%20slug%20%7D%20%7D")
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["strategies"][0]["slug"], "education");
}

async fn service_endpoints_answer(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let health = app.get("/health").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/ready").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );

    let graphiql = app.get("/graphiql").await;
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(graphiql.text().await.unwrap().contains("/graphql"));

    let schema = app.get("/schema.graphql").await.text().await.unwrap();
    for expected in [
        "interface Node",
        "type Text",
        "type CaseConnection",
        "totalCount",
        "input RecordFilter",
        "node(id: ID!): Node",
    ] {
        assert!(schema.contains(expected), "the SDL lacks {expected}");
    }
}
