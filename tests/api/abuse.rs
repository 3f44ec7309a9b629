//! Hostile requests: each gets its documented error quickly, and the server answers normal
//! queries normally afterwards. Then random and mutated documents and bodies: never a 5xx.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp};

/// POSTs a JSON body; returns the status and the body (`Null` if it is not JSON).
async fn post(app: &TestApp, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let response = app
        .post_raw(body, &[("content-type", "application/json")])
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn query(app: &TestApp, document: &str) -> (u16, Value) {
    post(app, json!({ "query": document }).to_string()).await
}

/// A refused request: a 4xx, or a 200 whose only content is errors with `code`.
fn assert_refused(what: &str, (status, body): &(u16, Value), code: &str, message: &str) {
    assert!(
        *status == 200 || (400..500).contains(status),
        "{what}: status {status}"
    );
    assert!(
        body.get("data").is_none() || body["data"].is_null(),
        "{what}: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"], code,
        "{what}: {body}"
    );
    let text = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        text.contains(message),
        "{what}: expected '{message}' in '{text}'"
    );
}

#[tokio::test]
async fn hostile_requests_get_their_documented_errors() {
    let app = TestApp::spawn(&Backend::Sqlite).await;

    let bomb = format!("{}{}", "{ strategies ".repeat(10_000), "}".repeat(10_000));
    assert_refused(
        "a depth bomb",
        &query(&app, &bomb).await,
        "BAD_USER_INPUT",
        "levels deep",
    );
    let deep = "{ cases { nodes { measures { cases { measures { cases { measures { cases { measures { cases { measures { cases { slug } } } } } } } } } } } } }";
    assert_refused(
        "a query past the depth limit",
        &query(&app, deep).await,
        "BAD_USER_INPUT",
        "nested too deep",
    );

    let aliases: String = (0..10_000).map(|n| format!("a{n}: __typename ")).collect();
    assert_refused(
        "10,000 aliases",
        &query(&app, &format!("{{ {aliases} }}")).await,
        "BAD_USER_INPUT",
        "aliases",
    );

    let fragments: String = (0..10_000)
        .map(|n| format!("fragment F{n} on Query {{ __typename }} "))
        .collect();
    let spreads: String = (0..10_000).map(|n| format!("...F{n} ")).collect();
    assert_refused(
        "10,000 fragments",
        &query(&app, &format!("{{ {spreads} }} {fragments}")).await,
        "BAD_USER_INPUT",
        "root fields",
    );
    assert_refused(
        "10,000 unused fragments",
        &query(&app, &format!("{{ __typename }} {fragments}")).await,
        "BAD_USER_INPUT",
        "once its fragments are expanded",
    );
    // Each fragment spreads the next twice: 1 KB that expands to 2^25 fields. Validation of it
    // took 30 s and stalled the server; it must be refused before validation starts.
    for levels in [25, 30, 60] {
        let mut doubling = String::from("{ ...F0 }");
        for n in 0..levels {
            doubling.push_str(&format!(
                " fragment F{n} on Query {{ ...F{m} ...F{m} }}",
                m = n + 1
            ));
        }
        doubling.push_str(&format!(" fragment F{levels} on Query {{ __typename }}"));
        assert_refused(
            &format!("fragments doubling over {levels} levels"),
            &query(&app, &doubling).await,
            "BAD_USER_INPUT",
            "once its fragments are expanded",
        );
    }
    // The same name selected 80,000 times: the field-merging rule compares pairs.
    let repeated = "__typename ".repeat(80_000);
    assert_refused(
        "80,000 fields",
        &query(&app, &format!("{{ strategies {{ {repeated} }} }}")).await,
        "BAD_USER_INPUT",
        "fields",
    );
    let directives = "@skip(if: false) ".repeat(10_000);
    assert_refused(
        "10,000 directives",
        &query(&app, &format!("{{ __typename {directives} }}")).await,
        "BAD_USER_INPUT",
        "directives",
    );

    // 340,000 directives on the operation (1 MB): one error, not one per directive.
    let on_operation = format!("query Q {} {{ __typename }}", "@a ".repeat(340_000));
    let refused = query(&app, &on_operation).await;
    assert_refused(
        "340,000 directives on the operation",
        &refused,
        "BAD_USER_INPUT",
        "directives",
    );
    assert_eq!(refused.1["errors"].as_array().unwrap().len(), 1);
    let on_each = "slug @include(if: true) ".repeat(60);
    assert_refused(
        "a directive on each of 60 fields",
        &query(&app, &format!("{{ strategies {{ {on_each} }} }}")).await,
        "BAD_USER_INPUT",
        "directives in the document",
    );
    let spread = format!(
        "{{ ...F {} }} fragment F on Query {{ __typename }}",
        "@skip(if: false) ".repeat(5)
    );
    assert_refused(
        "5 directives on one spread",
        &query(&app, &spread).await,
        "BAD_USER_INPUT",
        "directives on one location",
    );
    // Many errors are listed up to a bound, the rest summed up in a last one.
    let unknown: String = (0..400).map(|n| format!("x{n} ")).collect();
    let (_, body) = query(&app, &format!("{{ strategies {{ {unknown} }} }}")).await;
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 50, "{body}");
    assert!(errors[49]["message"]
        .as_str()
        .unwrap()
        .contains("more errors omitted"));
    assert_eq!(errors[49]["extensions"]["code"], "BAD_USER_INPUT");

    let costly: String = (0..20)
        .map(|n| format!("s{n}: search(query: \"a\", first: 100) {{ hits {{ slug title {{ zh en }} highlights {{ html }} }} }} "))
        .collect();
    assert_refused(
        "a costly query",
        &query(&app, &format!("{{ {costly} }}")).await,
        "BAD_USER_INPUT",
        "too complex",
    );

    let nested_list = format!(
        "{{ search(query: {}\"a\"{}) {{ totalCount }} }}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_refused(
        "a deeply nested input list",
        &query(&app, &nested_list).await,
        "BAD_USER_INPUT",
        "levels deep",
    );
    let nested_variables = format!(
        "{{\"query\":\"query($f: SearchFilter) {{ search(query: \\\"a\\\", filter: $f) {{ totalCount }} }}\",\"variables\":{{\"f\":{{\"kinds\":{}{}}}}}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert_refused(
        "deeply nested variables",
        &post(&app, nested_variables).await,
        "BAD_USER_INPUT",
        "levels deep",
    );
    let nested_json = format!(
        "{{\"query\":\"{{ __typename }}\",\"variables\":{{\"v\":{}{}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (status, body) = post(&app, nested_json).await;
    assert_eq!(
        status, 400,
        "JSON nested past serde's recursion limit: {body}"
    );

    let huge = format!(
        "{{\"query\":\"{{ __typename }}\",\"pad\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let (status, body) = post(&app, huge).await;
    assert_eq!(status, 413, "a 2 MiB body: {body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let mut invalid_utf8 = br#"{"query":"{ strategies { slug } }", "x": ""#.to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, 0xc3, b'"', b'}']);
    let (status, body) = post(&app, invalid_utf8).await;
    assert_eq!(status, 400, "invalid UTF-8: {body}");

    let (status, body) = post(
        &app,
        json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]).to_string(),
    )
    .await;
    assert_eq!(status, 400, "a batch: {body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("batched"));

    let get_mutation = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "mutation { revert(revision: \"x\") { id } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(get_mutation.status(), 405);

    app.still_serves().await;
}

/// Valid documents to mutate: what planners and frontends send.
const CORPUS: [&str; 6] = [
    "{ strategies { slug name { zh en } measures { slug } } }",
    "query($q: String!) { search(query: $q, first: 5) { totalCount hits { slug highlights { html } } } }",
    "{ cases(first: 3, filter: { region: \"fengdu\" }) { edges { cursor node { slug measures { slug } } } pageInfo { hasNextPage } } }",
    "query Q($id: ID!) { node(id: $id) { id ... on Case { title { en } } } history(id: $id) { operation } }",
    "{ recommend(input: { text: \"年轻人都外出打工了\", first: 3 }) { items { measure { slug } } } }",
    "mutation { deleteCase(input: { id: \"Q2FzZTox\", version: 1 }) }",
];

const ALPHABET: &[u8] = b"{}()[]:$@!.,\"'\\#=|&- \n\tabcxyzQ_019\xe5\x85\xbb";

fn mutate(rng: &mut StdRng, document: &str) -> Vec<u8> {
    let mut bytes = document.as_bytes().to_vec();
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..=bytes.len());
        match rng.random_range(0..5) {
            0 => bytes.insert(at, ALPHABET[rng.random_range(0..ALPHABET.len())]),
            1 if !bytes.is_empty() => {
                bytes.remove(at.min(bytes.len() - 1));
            }
            2 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] = rng.random();
            }
            3 => bytes.truncate(at),
            _ => {
                let end = rng.random_range(at..=bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
        }
    }
    bytes
}

fn random_json(rng: &mut StdRng, depth: usize) -> Value {
    match rng.random_range(0..if depth > 4 { 4 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random::<i64>()),
        3 => json!(String::from_utf8_lossy(&mutate(rng, "{ a }")).to_string()),
        4 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "query",
                "variables",
                "operationName",
                "extensions",
                "q",
                "id",
            ];
            Value::Object(
                (0..rng.random_range(0..5))
                    .map(|_| {
                        (
                            keys[rng.random_range(0..keys.len())].to_string(),
                            random_json(rng, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
    }
}

#[tokio::test]
async fn random_and_mutated_requests_never_get_a_server_error() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let seed: u64 = std::env::var("KB_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("fuzzing with KB_FUZZ_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let variables = json!({ "q": "养鸡", "id": "Q2FzZTox" });
    for round in 0..1_500 {
        let body: Vec<u8> = match round % 3 {
            0 => {
                let original = CORPUS[rng.random_range(0..CORPUS.len())];
                let document = mutate(&mut rng, original);
                let mut body = br#"{"query":"#.to_vec();
                body.extend(serde_json::to_vec(&String::from_utf8_lossy(&document)).unwrap());
                body.extend(format!(r#","variables":{variables}}}"#).bytes());
                body
            }
            1 => serde_json::to_vec(&random_json(&mut rng, 0)).unwrap(),
            _ => {
                let original = CORPUS[rng.random_range(0..CORPUS.len())];
                let valid = json!({ "query": original, "variables": variables }).to_string();
                mutate(&mut rng, &valid)
            }
        };
        let response = app
            .post_raw(body.clone(), &[("content-type", "application/json")])
            .await;
        assert!(
            response.status().as_u16() < 500,
            "seed {seed}, round {round}: {} for {}",
            response.status(),
            String::from_utf8_lossy(&body)
        );
    }
    app.still_serves().await;
}
