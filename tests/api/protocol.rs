//! GraphQL over HTTP as the specification says, and the edge around it: content types, status
//! codes, methods, headers, CORS, rate limiting, limits, metrics.

use policy_kb::auth::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::helpers::{Backend, ServerProcess, TestApp};
use crate::on_every_backend;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn content_type(response: &reqwest::Response) -> String {
    response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string()
}

async fn post_json(app: &TestApp, body: Value, accept: &str) -> reqwest::Response {
    app.post_raw(
        body.to_string(),
        &[("content-type", "application/json"), ("accept", accept)],
    )
    .await
}

async fn case_count(app: &TestApp) -> u64 {
    entities::cases::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

async fn responses_follow_the_accept_header(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let query = json!({ "query": "{ strategies { slug } }" });
    for (accept, expected) in [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("", "application/json"),
    ] {
        let response = post_json(&app, query.clone(), accept).await;
        assert_eq!(response.status(), 200, "Accept: {accept}");
        assert_eq!(
            content_type(&response),
            format!("{expected}; charset=utf-8")
        );
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    let refused = post_json(&app, query, "text/html").await;
    assert_eq!(refused.status(), 406);

    // Request errors: no data entry; 400 under the new media type, 200 under application/json.
    for (document, what) in [
        ("{ strategies { slug }", "a syntax error"),
        ("{ nosuchfield }", "a validation error"),
    ] {
        for (accept, status) in [(GRAPHQL_RESPONSE, 400), ("application/json", 200)] {
            let response = post_json(&app, json!({ "query": document }), accept).await;
            assert_eq!(response.status(), status, "{what} under {accept}");
            let body: Value = response.json().await.unwrap();
            assert!(body.get("data").is_none(), "{what}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
            assert!(
                body["errors"][0]["locations"][0]["line"].is_number(),
                "{what}: {body}"
            );
        }
    }
    // A field error is not a request error: data is there, status 200.
    let response = post_json(
        &app,
        json!({ "query": "{ cases(first: 1000) { totalCount } }" }),
        GRAPHQL_RESPONSE,
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(
        body.get("data").is_some() && body["errors"].is_array(),
        "{body}"
    );
}

async fn only_json_bodies_execute(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let token = app.token("editor", Role::Editor).await;
    let before = case_count(&app).await;
    let mutation = json!({ "query": "mutation { createCase(input: { slug: \"forged\", title: { zh: \"伪\", en: \"Forged\" }, citations: [{ section: { zh: \"a\", en: \"a\" }, excerpt: { zh: \"a\", en: \"a\" } }] }) { id } }" }).to_string();
    let bearer = format!("Bearer {token}");
    for content_type in [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/json; charset=latin1",
    ] {
        let response = app
            .post_raw(
                mutation.clone(),
                &[("content-type", content_type), ("authorization", &bearer)],
            )
            .await;
        assert_eq!(response.status(), 415, "{content_type}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    let untyped = app
        .post_raw(mutation.clone(), &[("authorization", &bearer)])
        .await;
    assert_eq!(untyped.status(), 415);
    let gzipped = app
        .post_raw(
            mutation.clone(),
            &[
                ("content-type", "application/json"),
                ("content-encoding", "gzip"),
                ("authorization", &bearer),
            ],
        )
        .await;
    assert_eq!(gzipped.status(), 415);
    assert_eq!(case_count(&app).await, before, "a refused request executed");

    // GET serves queries only.
    let get_mutation = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[(
            "query",
            "mutation { deleteCase(input: { id: \"x\", version: 1 }) }",
        )])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(get_mutation.status(), 405);
    assert_eq!(get_mutation.headers()["allow"], "POST");
    let put = app
        .client
        .put(format!("{}/graphql", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 405);
    assert_eq!(put.headers()["allow"], "GET, POST");
    let get_query = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[
            ("query", "query($s: String!) { case(slug: $s) { slug } }"),
            ("variables", "{\"s\":\"fengdu-one-chicken\"}"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(get_query.status(), 200);
    assert_eq!(
        get_query.json::<Value>().await.unwrap()["data"]["case"]["slug"],
        "fengdu-one-chicken"
    );

    // Batches are refused; malformed parameters are 400.
    for body in [
        json!([{ "query": "{ strategies { slug } }" }]).to_string(),
        json!({ "query": 42 }).to_string(),
        json!({ "query": "{ a }", "variables": "x" }).to_string(),
        "{ not json".to_string(),
    ] {
        let response = app
            .post_raw(body.clone(), &[("content-type", "application/json")])
            .await;
        assert_eq!(response.status(), 400, "{body}");
    }
    app.still_serves().await;
}

async fn every_response_carries_the_edge_headers(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut ids = Vec::new();
    for path in [
        "/graphql?query=%7B__typename%7D",
        "/health",
        "/graphiql",
        "/nowhere",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        ids.push(headers["x-request-id"].to_str().unwrap().to_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "request ids must differ: {ids:?}");
    // Not permissive by default: no origin is allowed.
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    let app =
        TestApp::spawn_edge(|edge| edge.cors_origins = vec!["https://planner.example".into()])
            .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let allowed = preflight("https://planner.example").await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://planner.example"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn rate_limiting_answers_429_with_retry_after() {
    let app = TestApp::spawn_edge(|edge| {
        edge.rate_limit = 1;
        edge.rate_limit_burst = 3;
    })
    .await;
    let mut statuses = Vec::new();
    // The first three use up the burst; at one request per second, more of the next seven are
    // refused than a slow machine could earn back while sending them.
    for _ in 0..10 {
        statuses.push(app.get("/health").await);
    }
    let limited = statuses
        .iter()
        .find(|r| r.status() == 429)
        .expect("no request was limited");
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    assert!(
        statuses[..3].iter().all(|r| r.status() == 200),
        "the burst is 3"
    );
    let position = statuses.iter().position(|r| r.status() == 429).unwrap();
    let body: Value = statuses.remove(position).json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
}

#[tokio::test]
async fn rate_limiting_is_off_by_default() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    for _ in 0..200 {
        assert_eq!(app.get("/health").await.status(), 200);
    }
}

#[tokio::test]
async fn introspection_and_suggestions_can_be_turned_off() {
    let open = TestApp::spawn(&Backend::Sqlite).await;
    let introspect = "{ __schema { queryType { name } } }";
    assert!(open
        .graphql(introspect, json!({}))
        .await
        .get("errors")
        .is_none());
    let typo = open.graphql("{ strategie { slug } }", json!({})).await;
    assert!(
        typo["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{typo}"
    );

    let closed = TestApp::spawn_edge(|edge| {
        edge.introspection = false;
        edge.field_suggestions = false;
    })
    .await;
    // async-graphql answers a disabled introspection with null rather than an error.
    let refused = closed.graphql(introspect, json!({})).await;
    assert!(refused["data"]["__schema"].is_null(), "{refused}");
    let typo = closed.graphql("{ strategie { slug } }", json!({})).await;
    assert!(
        !typo["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{typo}"
    );
    closed.still_serves().await;
}

#[tokio::test]
async fn a_request_past_the_timeout_is_cut_off() {
    let app = TestApp::spawn_edge(|edge| edge.timeout_ms = 300).await;
    let token = app.token("editor", Role::Editor).await;
    let before = case_count(&app).await;
    // Hold the database's write lock, so that an edit cannot finish in time whatever the
    // machine's speed.
    let lock = policy_kb::db::begin_write(&app.db).await.unwrap();
    let response = app
        .post_raw(
            json!({ "query": "mutation { createCase(input: { slug: \"too-slow\", title: { zh: \"慢\", en: \"Slow\" }, citations: [{ section: { zh: \"a\", en: \"a\" }, excerpt: { zh: \"a\", en: \"a\" } }] }) { id } }" }).to_string(),
            &[("content-type", "application/json"), ("authorization", &format!("Bearer {token}"))],
        )
        .await;
    lock.rollback().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");
    assert_eq!(
        case_count(&app).await,
        before,
        "a request cut off wrote nothing"
    );
    app.still_serves().await;
}

#[tokio::test]
async fn metrics_count_requests_operations_searches_and_errors() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    app.graphql("{ search(query: \"养鸡\") { totalCount } }", json!({}))
        .await;
    app.graphql("{ nosuchfield }", json!({})).await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    assert!(content_type(&metrics).starts_with("text/plain; version=0.0.4"));
    let text = metrics.text().await.unwrap();
    for expected in [
        "policy_kb_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"}",
        "policy_kb_http_request_duration_seconds_bucket{route=\"/graphql\"",
        "policy_kb_graphql_requests_total{operation=\"query\"}",
        "policy_kb_graphql_request_duration_seconds_count{operation=\"query\"}",
        "policy_kb_graphql_errors_total{code=\"BAD_USER_INPUT\"}",
        "policy_kb_search_duration_seconds_count 1",
    ] {
        assert!(
            text.contains(expected),
            "/metrics lacks {expected}:\n{text}"
        );
    }
}

#[tokio::test]
async fn every_request_has_an_access_log_line_with_its_request_id() {
    let data_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&[("KB_DATA_DIR", data_dir.path().display().to_string())]);
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.address))
        .json(&json!({ "query": "{ strategies { slug } }" }))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let access = loop {
        let line = server
            .log
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("no access log line for the request");
        let entry: Value = serde_json::from_str(&line).expect("a log line is not JSON");
        if entry["target"] == "access" && entry["request_id"] == request_id.as_str() {
            break entry;
        }
    };
    assert_eq!(access["method"], "POST");
    assert_eq!(access["path"], "/graphql");
    assert_eq!(access["status"], 200);
    assert_eq!(access["operation"], "query");
    assert!(access["duration_ms"].is_number(), "{access}");
    assert_eq!(access["client"], "127.0.0.1");
    server.kill();
}

on_every_backend!(
    responses_follow_the_accept_header,
    only_json_bodies_execute,
    every_response_carries_the_edge_headers,
);
