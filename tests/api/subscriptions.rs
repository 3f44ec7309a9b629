//! Live updates over WebSocket (`graphql-transport-ws` at `/graphql`): events after edits, on
//! this replica and another, filters, every limit of the edge and every close code of the
//! protocol.

use secrecy::ExposeSecret;
use std::collections::BTreeSet;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use policy_kb::auth::Role;
use policy_kb::settings::{EdgeSettings, StorageSettings};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::{sha256, Backend, TestApp};
use crate::on_every_backend;

/// How long a test waits for a message it expects: generous, it is not a latency bound.
const WAIT: Duration = Duration::from_secs(20);

const CHANGES: &str = "subscription($kinds: [EntryKind!], $ids: [ID!]) {
    recordChanged(kinds: $kinds, ids: $ids) {
        position operation kind recordId version at
        node { id ... on Case { slug title { en } } ... on Region { slug } }
    }
}";

const CREATE_CASE: &str =
    "mutation($input: CreateCaseInput!) { createCase(input: $input) { id version } }";
const UPDATE_CASE: &str =
    "mutation($input: UpdateCaseInput!) { updateCase(input: $input) { id version } }";

fn new_case(slug: &str) -> Value {
    json!({
        "slug": slug,
        "title": { "zh": "村级互助养老服务点", "en": "Mutual-aid care point" },
        "region": "fengdu",
        "year": 2020,
        "citations": [{
            "section": { "zh": "编辑补充", "en": "Added by an editor" },
            "excerpt": { "zh": "互助养老", "en": "mutual-aid elderly care" }
        }]
    })
}

/// Creates a case through `app`; its global ID.
async fn create_case(app: &TestApp, token: &str, slug: &str) -> String {
    let data = app
        .data_as(token, CREATE_CASE, json!({ "input": new_case(slug) }))
        .await;
    data["createCase"]["id"].as_str().unwrap().to_string()
}

/// A `graphql-transport-ws` client, speaking the protocol message by message.
struct Client {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a connection ended.
#[derive(Debug)]
struct Closed {
    code: u16,
    reason: String,
}

impl Client {
    /// Opens a WebSocket to `/graphql` asking for `protocol`, or the handshake's error.
    async fn open(
        app: &TestApp,
        protocol: Option<&str>,
    ) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/graphql", app.address.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        if let Some(protocol) = protocol {
            request.headers_mut().insert(
                "sec-websocket-protocol",
                HeaderValue::from_str(protocol).unwrap(),
            );
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Client { socket })
    }

    /// Opens a connection and has it acknowledged.
    async fn connect(app: &TestApp) -> Client {
        let mut client = Client::open(app, Some("graphql-transport-ws"))
            .await
            .expect("the WebSocket handshake failed");
        client.send(json!({ "type": "connection_init" })).await;
        assert_eq!(client.next().await["type"], "connection_ack");
        client
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("cannot send");
    }

    /// Subscribes, then waits until the server listens: it reads messages in order and
    /// starts a subscription before it reads the next message, so its `pong` proves it.
    /// Returns what the subscription sent before the `pong` (its `error`, for one refused).
    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) -> Vec<Value> {
        self.send(json!({ "id": id, "type": "subscribe",
            "payload": { "query": query, "variables": variables } }))
            .await;
        self.send(json!({ "type": "ping" })).await;
        let mut before = Vec::new();
        loop {
            let message = self.next().await;
            if message["type"] == "pong" {
                return before;
            }
            before.push(message);
        }
    }

    /// The next protocol message; fails the test if the connection closes first.
    async fn next(&mut self) -> Value {
        match self.message().await {
            Ok(message) => message,
            Err(closed) => panic!("the connection closed: {closed:?}"),
        }
    }

    /// The next protocol message, or how the connection ended.
    async fn message(&mut self) -> Result<Value, Closed> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("no message from the server in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("a message that is not JSON"))
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map_or(
                        Closed {
                            code: 1005,
                            reason: String::new(),
                        },
                        |frame| Closed {
                            code: frame.code.into(),
                            reason: frame.reason.to_string(),
                        },
                    ))
                }
                Some(Ok(_)) => continue,
                Some(Err(err)) => {
                    return Err(Closed {
                        code: 1006,
                        reason: err.to_string(),
                    })
                }
                None => {
                    return Err(Closed {
                        code: 1006,
                        reason: "the stream ended".into(),
                    })
                }
            }
        }
    }

    /// Reads until the server closes the connection (skipping the messages before); how.
    async fn closed(&mut self) -> Closed {
        loop {
            if let Err(closed) = self.message().await {
                return closed;
            }
        }
    }

    /// The payload of the next `next` message of subscription `id`, skipping the others'.
    async fn event(&mut self, id: &str) -> Value {
        loop {
            let message = self.next().await;
            if message["id"] == id {
                assert_eq!(message["type"], "next", "{message:#}");
                assert!(message["payload"].get("errors").is_none(), "{message:#}");
                return message["payload"]["data"]["recordChanged"].clone();
            }
        }
    }
}

async fn an_edit_reaches_a_subscriber_after_its_commit(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let mut client = Client::connect(&app).await;
    assert!(client.subscribe("all", CHANGES, json!({})).await.is_empty());

    let id = create_case(&app, &editor, "live-case").await;
    let created = client.event("all").await;
    assert_eq!(created["operation"], "CREATE");
    assert_eq!(created["kind"], "CASE");
    assert_eq!(created["recordId"], id.as_str());
    assert_eq!(created["version"], 1);
    assert_eq!(created["node"]["slug"], "live-case");
    assert!(created["at"].as_str().unwrap().ends_with('Z'));
    // The region the case names: its cases changed, its own fields did not.
    let related = client.event("all").await;
    assert_eq!(related["operation"], "RELATED");
    assert_eq!(related["kind"], "REGION");
    assert_eq!(related["node"]["slug"], "fengdu");
    assert_eq!(related["version"], Value::Null);
    assert!(related["position"].as_i64() > created["position"].as_i64());

    app.data_as(
        &editor,
        UPDATE_CASE,
        json!({ "input": { "id": id, "version": 1, "title": { "zh": "新", "en": "Renamed" } } }),
    )
    .await;
    let updated = client.event("all").await;
    assert_eq!(updated["operation"], "UPDATE");
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["node"]["title"]["en"], "Renamed");

    app.data_as(
        &editor,
        "mutation($input: DeleteInput!) { deleteCase(input: $input) }",
        json!({ "input": { "id": id, "version": 2 } }),
    )
    .await;
    // Skip the region's event of the update.
    let deleted = loop {
        let event = client.event("all").await;
        if event["kind"] == "CASE" {
            break event;
        }
    };
    assert_eq!(deleted["operation"], "DELETE");
    assert_eq!(deleted["recordId"], id.as_str());
    assert_eq!(deleted["node"], Value::Null);
    assert_eq!(deleted["version"], Value::Null);

    // The client ends its subscription; its id is free again (the same id twice is 4409).
    client
        .send(json!({ "id": "all", "type": "complete" }))
        .await;
    let again = client.subscribe("all", CHANGES, json!({})).await;
    assert!(again.iter().all(|m| m["type"] == "next"), "{again:#?}");
    create_case(&app, &editor, "heard-again").await;
    loop {
        let event = client.event("all").await;
        if event["kind"] == "CASE" {
            assert_eq!(event["node"]["slug"], "heard-again");
            break;
        }
    }
}

async fn subscribers_get_only_the_kinds_and_records_they_ask_for(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    // A bundled case: no edit may precede the subscriptions, or its events could reach them.
    let bundled = app
        .data(
            r#"{ case(slug: "fengdu-one-chicken") { id version } }"#,
            json!({}),
        )
        .await;
    let first = bundled["case"]["id"].as_str().unwrap().to_string();
    let version = bundled["case"]["version"].clone();
    let mut client = Client::connect(&app).await;
    for (id, variables) in [
        ("regions", json!({ "kinds": ["REGION"] })),
        ("first", json!({ "ids": [first] })),
        ("cases-first", json!({ "kinds": ["CASE"], "ids": [first] })),
    ] {
        assert!(client.subscribe(id, CHANGES, variables).await.is_empty());
    }
    // An edit the record filters leave out, then one they let through.
    let second = create_case(&app, &editor, "second-case").await;
    app.data_as(
        &editor,
        UPDATE_CASE,
        json!({ "input": { "id": first, "version": version, "title": { "zh": "甲", "en": "First" } } }),
    )
    .await;
    let mut first_events = std::collections::HashMap::new();
    while first_events.len() < 3 {
        let message = client.next().await;
        assert_eq!(message["type"], "next", "{message:#}");
        let id = message["id"].as_str().unwrap().to_string();
        first_events
            .entry(id)
            .or_insert_with(|| message["payload"]["data"]["recordChanged"].clone());
    }
    let regions = &first_events["regions"];
    assert_eq!(regions["kind"], "REGION");
    assert_eq!(regions["operation"], "RELATED");
    for id in ["first", "cases-first"] {
        let event = &first_events[id];
        assert_eq!(event["recordId"], first.as_str(), "{id}: {event:#}");
        assert_eq!(event["operation"], "UPDATE");
        assert_ne!(event["recordId"], second.as_str());
    }
}

async fn a_subscriber_on_one_replica_hears_of_edits_through_another(backend: Backend) {
    let first = TestApp::spawn(&backend).await;
    let other_dir = tempfile::tempdir().unwrap();
    let shared = StorageSettings::new(
        other_dir.path(),
        Some(first.storage.database_url().expose_secret().to_string()),
    );
    let second = TestApp::spawn_on(shared, other_dir).await;
    let editor = first.token("editor", Role::Editor).await;
    let mut client = Client::connect(&first).await;
    assert!(client
        .subscribe("cases", CHANGES, json!({ "kinds": ["CASE"] }))
        .await
        .is_empty());
    let id = create_case(&second, &editor, "elsewhere-case").await;
    let event = client.event("cases").await;
    assert_eq!(event["operation"], "CREATE");
    assert_eq!(event["recordId"], id.as_str());
    assert_eq!(event["node"]["slug"], "elsewhere-case");
}

on_every_backend!(
    an_edit_reaches_a_subscriber_after_its_commit,
    subscribers_get_only_the_kinds_and_records_they_ask_for,
    a_subscriber_on_one_replica_hears_of_edits_through_another,
);

/// The code of the only error of an `error` message.
fn error_code(message: &Value) -> &str {
    assert_eq!(message["type"], "error", "{message:#}");
    message["payload"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

#[tokio::test]
async fn the_protocol_closes_on_bad_messages_with_its_codes() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": CHANGES } });
    let cases: [(&str, Vec<Message>, u16); 6] = [
        (
            "subscribe before connection_ack",
            vec![Message::text(subscribe.to_string())],
            4401,
        ),
        ("not JSON", vec![Message::text("{ nope")], 4400),
        (
            "an unknown message type",
            vec![Message::text(r#"{"type":"start","id":"1"}"#)],
            4400,
        ),
        (
            "a binary frame",
            vec![Message::binary(b"{}".to_vec())],
            4400,
        ),
        (
            "a second connection_init",
            vec![Message::text(r#"{"type":"connection_init"}"#)],
            4429,
        ),
        (
            "the same id twice",
            vec![
                Message::text(subscribe.to_string()),
                Message::text(subscribe.to_string()),
            ],
            4409,
        ),
    ];
    for (what, messages, code) in cases {
        let mut client = Client::open(&app, Some("graphql-transport-ws"))
            .await
            .unwrap();
        if code != 4401 {
            client.send(json!({ "type": "connection_init" })).await;
            assert_eq!(client.next().await["type"], "connection_ack");
        }
        for message in messages {
            client.socket.send(message).await.unwrap();
        }
        let closed = client.closed().await;
        assert_eq!(closed.code, code, "{what}: {closed:?}");
    }
    // A subscribe whose payload is not a request is malformed too.
    let mut client = Client::connect(&app).await;
    client
        .send(json!({ "id": "1", "type": "subscribe", "payload": { "query": 7 } }))
        .await;
    assert_eq!(client.closed().await.code, 4400);

    // Without the subprotocol.
    let mut client = Client::open(&app, None).await.unwrap();
    let closed = client.closed().await;
    assert_eq!(closed.code, 4406, "{closed:?}");
}

#[tokio::test]
async fn operations_that_do_not_belong_or_do_not_validate_get_an_error_message() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let mut client = Client::connect(&app).await;
    let refused = client
        .subscribe("q", "{ strategies { slug } }", json!({}))
        .await;
    assert_eq!(error_code(&refused[0]), "BAD_USER_INPUT");
    assert!(refused[0]["payload"][0]["message"]
        .as_str()
        .unwrap()
        .contains("POST"));
    let invalid = client
        .subscribe("v", "subscription { recordChanged { nope } }", json!({}))
        .await;
    assert_eq!(error_code(&invalid[0]), "BAD_USER_INPUT");
    let bad_id = client
        .subscribe("i", CHANGES, json!({ "ids": ["not an id"] }))
        .await;
    // A field error, as graphql-ws's own server sends one: a result with it, then `complete`.
    assert_eq!(bad_id.len(), 2, "{bad_id:#?}");
    assert_eq!(bad_id[0]["type"], "next");
    let error = &bad_id[0]["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{bad_id:#?}");
    assert_eq!(error["extensions"]["field"], "ids");
    assert_eq!(bad_id[1]["type"], "complete");
    // The connection serves on.
    assert!(client.subscribe("ok", CHANGES, json!({})).await.is_empty());

    // And a subscription sent over HTTP is told where subscriptions run.
    let response = app.graphql(CHANGES, json!({})).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{response:#}"
    );
    assert!(response["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("WebSocket"));
}

#[tokio::test]
async fn subscriptions_pass_the_same_document_limits_as_queries() {
    let app = TestApp::spawn_edge(|edge: &mut EdgeSettings| {
        edge.max_depth = 3;
        edge.max_complexity = 8;
        edge.max_fields = 12;
        edge.max_directives = 1;
        edge.max_aliases = 1;
    })
    .await;
    let mut client = Client::connect(&app).await;
    let too_deep =
        "subscription { recordChanged { node { ... on Case { region { parent { slug } } } } } }";
    let too_many_fields =
        "subscription { recordChanged { position operation kind recordId version at
        node { id ... on Case { slug year title { zh en } summary { zh en } } } } }";
    let too_many_directives =
        "subscription { recordChanged { position @include(if: true) @skip(if: false) } }";
    let too_many_aliases = "subscription { recordChanged { a: position b: kind } }";
    let too_complex = "subscription { recordChanged { position operation kind recordId version at node { id } } }";
    for (id, document) in [
        ("deep", too_deep),
        ("complex", too_complex),
        ("fields", too_many_fields),
        ("directives", too_many_directives),
        ("aliases", too_many_aliases),
    ] {
        let refused = client.subscribe(id, document, json!({})).await;
        assert_eq!(refused.len(), 1, "{id}: {refused:#?}");
        assert_eq!(error_code(&refused[0]), "BAD_USER_INPUT", "{id}");
    }
    assert!(client
        .subscribe(
            "fine",
            "subscription { recordChanged { position } }",
            json!({})
        )
        .await
        .is_empty());
}

#[tokio::test]
async fn a_connection_runs_at_most_its_limit_of_subscriptions() {
    let app = TestApp::spawn_edge(|edge| edge.ws_max_subscriptions = 2).await;
    let mut client = Client::connect(&app).await;
    for id in ["1", "2"] {
        assert!(client.subscribe(id, CHANGES, json!({})).await.is_empty());
    }
    let refused = client.subscribe("3", CHANGES, json!({})).await;
    assert_eq!(error_code(&refused[0]), "RATE_LIMITED");
    client.send(json!({ "id": "1", "type": "complete" })).await;
    assert!(client.subscribe("3", CHANGES, json!({})).await.is_empty());
}

#[tokio::test]
async fn a_client_opens_at_most_its_limit_of_connections() {
    let app = TestApp::spawn_edge(|edge| edge.ws_max_connections_per_client = 2).await;
    let first = Client::connect(&app).await;
    let _second = Client::connect(&app).await;
    match Client::open(&app, Some("graphql-transport-ws")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429)
        }
        Err(other) => panic!("expected 429, got {other}"),
        Ok(_) => panic!("a third connection was accepted"),
    }
    // A closed connection frees its place (once the server has seen it close).
    drop(first);
    let deadline = tokio::time::Instant::now() + WAIT;
    while Client::open(&app, Some("graphql-transport-ws"))
        .await
        .is_err()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed connection still counts"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_connection_without_init_or_without_subscriptions_is_closed() {
    let app = TestApp::spawn_edge(|edge| {
        edge.ws_init_timeout_ms = 100;
        edge.ws_idle_timeout_secs = 1;
    })
    .await;
    let mut silent = Client::open(&app, Some("graphql-transport-ws"))
        .await
        .unwrap();
    let closed = silent.closed().await;
    assert_eq!(closed.code, 4408, "{closed:?}");

    let mut idle = Client::connect(&app).await;
    let closed = idle.closed().await;
    assert_eq!(closed.code, 1000, "{closed:?}");
    assert!(closed.reason.contains("idle"), "{closed:?}");
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_dropped_with_1013() {
    let app = TestApp::spawn_edge(|edge| edge.ws_max_lag = 4).await;
    let mut client = Client::connect(&app).await;
    assert!(client.subscribe("all", CHANGES, json!({})).await.is_empty());
    // One commit of many changes: the feed publishes them at once, far past the lag allowed.
    let related: BTreeSet<_> = (1..=200)
        .map(|id| (policy_kb::domain::EntryKind::Region, id))
        .collect();
    let edited = policy_kb::changes::Edited {
        kind: policy_kb::domain::EntryKind::Case,
        id: 1,
        operation: policy_kb::changes::Operation::Update,
        version: Some(2),
    };
    let txn = policy_kb::db::begin_write(&app.db).await.unwrap();
    policy_kb::changes::record(&txn, edited, &related, None)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let closed = client.closed().await;
    assert_eq!(closed.code, 1013, "{closed:?}");
    assert!(closed.reason.contains("behind"), "{closed:?}");
}

#[tokio::test]
async fn persisted_and_trusted_documents_hold_for_subscriptions() {
    let subscription = "subscription Cases { recordChanged(kinds: [CASE]) { position } }";
    let by_hash = |id: &str, document: &str| {
        json!({ "id": id, "type": "subscribe", "payload": { "extensions":
            { "persistedQuery": { "version": 1, "sha256Hash": sha256(document) } } } })
    };
    // Automatic persisted queries: an unknown hash, then the document with its hash, then the
    // hash alone.
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let mut client = Client::connect(&app).await;
    client.send(by_hash("1", subscription)).await;
    assert_eq!(
        error_code(&client.next().await),
        "PERSISTED_QUERY_NOT_FOUND"
    );
    client
        .send(json!({ "id": "2", "type": "subscribe", "payload": { "query": subscription,
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(subscription) } } } }))
        .await;
    client.send(by_hash("3", subscription)).await;
    client.send(json!({ "type": "ping" })).await;
    assert_eq!(
        client.next().await["type"],
        "pong",
        "both subscriptions run"
    );

    // Trusted documents: only the registered set runs, over WebSocket as over HTTP.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trusted.json");
    std::fs::write(
        &path,
        json!({ sha256(subscription): subscription }).to_string(),
    )
    .unwrap();
    let app = TestApp::spawn_edge(|edge| edge.trusted_documents = Some(path.clone())).await;
    let mut client = Client::connect(&app).await;
    client.send(by_hash("trusted", subscription)).await;
    let refused = client.subscribe("other", CHANGES, json!({})).await;
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert_eq!(refused[0]["id"], "other");
    assert_eq!(error_code(&refused[0]), "FORBIDDEN");
}
