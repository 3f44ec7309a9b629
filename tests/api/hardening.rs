//! The defects an adversarial run found (issue #17), each reproduced exactly: every test here
//! failed before its fix. Abuse of the GraphQL document itself lives in `abuse.rs`.

use secrecy::ExposeSecret;
use std::collections::HashSet;

use policy_kb::auth::Role;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{json, Value};

use crate::helpers::{error_codes, Backend, TestApp};
use crate::on_every_backend;

const UPDATE_CASE: &str = "mutation($input: UpdateCaseInput!) {
    updateCase(input: $input) { version title { en } }
}";

async fn case_version(app: &TestApp, slug: &str) -> (String, i64) {
    let data = app
        .data(
            "query($s: String!) { case(slug: $s) { id version } }",
            json!({ "s": slug }),
        )
        .await;
    (
        data["case"]["id"].as_str().unwrap().to_string(),
        data["case"]["version"].as_i64().unwrap(),
    )
}

/// #4: with editors racing on one case, every acknowledged update answers with what it wrote:
/// its own title, and a version no other acknowledgement carries.
async fn an_update_answers_with_what_it_wrote(backend: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(&backend).await);
    let token = app.token("racer", Role::Editor).await;
    let slug = "fengdu-one-chicken";
    let editors = (0..6).map(|editor| {
        let (app, token) = (app.clone(), token.clone());
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for round in 0..8 {
                let (id, version) = case_version(&app, slug).await;
                let title = format!("editor {editor} round {round}");
                let input = json!({ "id": id, "version": version, "title": { "zh": "一只鸡", "en": title } });
                let response = app
                    .graphql_as(&token, UPDATE_CASE, json!({ "input": input }))
                    .await;
                if response.get("errors").is_none() {
                    let case = &response["data"]["updateCase"];
                    assert_eq!(case["title"]["en"], title, "an acknowledgement carried another edit");
                    acknowledged.push(case["version"].as_i64().unwrap());
                } else {
                    assert_eq!(error_codes(&response), ["CONFLICT"], "{response}");
                }
            }
            acknowledged
        })
    });
    let mut versions = Vec::new();
    for editor in editors {
        versions.extend(editor.await.unwrap());
    }
    let distinct: HashSet<i64> = versions.iter().copied().collect();
    assert!(!versions.is_empty());
    assert_eq!(
        distinct.len(),
        versions.len(),
        "two acknowledgements carried one version"
    );
}

/// #11: an update that changes nothing (no field, or `title: null`) is refused and writes
/// nothing; so are a region level outside the closed set and a figure that is not one.
async fn no_op_and_out_of_range_edits_are_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let token = app.token("careful", Role::Editor).await;
    let (id, version) = case_version(&app, "fengdu-one-chicken").await;
    for input in [
        json!({ "id": id, "version": version }),
        json!({ "id": id, "version": version, "title": null }),
    ] {
        let response = app
            .graphql_as(&token, UPDATE_CASE, json!({ "input": input }))
            .await;
        assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response}");
        assert!(response["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("changes nothing"));
    }
    assert_eq!(case_version(&app, "fengdu-one-chicken").await.1, version);

    let region = json!({
        "slug": "somewhere", "level": "galaxy",
        "name": { "zh": "某地", "en": "Somewhere" },
        "citations": [{ "section": { "zh": "编辑", "en": "Editor" }, "excerpt": { "zh": "某地", "en": "Somewhere" } }]
    });
    let response = app
        .graphql_as(
            &token,
            "mutation($input: CreateRegionInput!) { createRegion(input: $input) { slug } }",
            json!({ "input": region }),
        )
        .await;
    assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response}");
    assert_eq!(response["errors"][0]["extensions"]["field"], "input.level");

    let mut figure = json!({ "id": id, "version": version, "citations": [{
        "section": { "zh": "编辑", "en": "Editor" }, "figure": -5,
        "excerpt": { "zh": "一只鸡", "en": "one chicken" } }] });
    let response = app
        .graphql_as(&token, UPDATE_CASE, json!({ "input": figure.clone() }))
        .await;
    assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response}");
    assert_eq!(
        response["errors"][0]["extensions"]["field"],
        "input.citations[0].figure"
    );

    let citation = figure["citations"][0].clone();
    figure["citations"] = json!(vec![citation; 5_000]);
    figure["citations"][0]["figure"] = json!(1);
    let response = app
        .graphql_as(&token, UPDATE_CASE, json!({ "input": figure }))
        .await;
    assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response}");
    assert_eq!(
        response["errors"][0]["extensions"]["field"],
        "input.citations"
    );
    assert_eq!(case_version(&app, "fengdu-one-chicken").await.1, version);
}

/// #7: a control character in a text is refused at the boundary, the same on both backends,
/// naming the field; nothing is written.
async fn control_characters_are_refused_naming_the_field(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let token = app.token("nul", Role::Editor).await;
    let (id, version) = case_version(&app, "fengdu-one-chicken").await;
    for (title, field) in [
        (
            json!({ "zh": "一只鸡", "en": "one\u{0}chicken" }),
            "input.title.en",
        ),
        (
            json!({ "zh": "一只\u{1b}鸡", "en": "one chicken" }),
            "input.title.zh",
        ),
    ] {
        let input = json!({ "id": id, "version": version, "title": title });
        let response = app
            .graphql_as(&token, UPDATE_CASE, json!({ "input": input }))
            .await;
        assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response}");
        assert_eq!(response["errors"][0]["extensions"]["field"], field);
    }
    assert_eq!(case_version(&app, "fengdu-one-chicken").await.1, version);
}

/// #6: relations with more keys than a statement may bind (SQLite: 32,766) answer, the plain
/// list is bounded, and its connection pages through all of it.
async fn relations_larger_than_a_statement_answer(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let measure = entities::measures::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let cause = entities::measure_causes::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        cause.measure_id, measure.id,
        "the first measure addresses a cause"
    );
    let linked_before = entities::case_measures::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .filter(|link| link.measure_id == measure.id)
        .count();
    let many = 33_000;
    for chunk in (0..many).collect::<Vec<_>>().chunks(2_000) {
        let cases = chunk.iter().map(|n| entities::cases::ActiveModel {
            slug: Set(format!("bulk-{n}")),
            version: Set(1),
            title_zh: Set(format!("案例{n}")),
            title_en: Set(format!("Case {n}")),
            ..Default::default()
        });
        entities::cases::Entity::insert_many(cases)
            .exec(&app.db)
            .await
            .unwrap();
    }
    let ids: Vec<i32> = entities::cases::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|case| case.slug.starts_with("bulk-"))
        .map(|case| case.id)
        .collect();
    for chunk in ids.chunks(4_000) {
        let links = chunk
            .iter()
            .map(|&case_id| entities::case_measures::ActiveModel {
                case_id: Set(case_id),
                measure_id: Set(measure.id),
                ..Default::default()
            });
        entities::case_measures::Entity::insert_many(links)
            .exec(&app.db)
            .await
            .unwrap();
    }
    let data = app
        .data(
            "{ measures(first: 5) { nodes { slug cases { slug } casesConnection(first: 3) { totalCount nodes { slug } pageInfo { hasNextPage endCursor } } } } }",
            json!({}),
        )
        .await;
    let first = &data["measures"]["nodes"][0];
    assert_eq!(first["slug"], measure.slug);
    assert_eq!(
        first["cases"].as_array().unwrap().len(),
        100,
        "the plain list is bounded"
    );
    assert_eq!(
        first["casesConnection"]["totalCount"].as_u64().unwrap(),
        (many + linked_before) as u64
    );
    assert_eq!(
        first["casesConnection"]["nodes"].as_array().unwrap().len(),
        3
    );
    assert_eq!(first["casesConnection"]["pageInfo"]["hasNextPage"], true);
    let after = first["casesConnection"]["pageInfo"]["endCursor"].clone();
    let next = app
        .data(
            "query($s: String!, $after: String) { measure(slug: $s) { casesConnection(first: 2, after: $after) { nodes { slug } } } }",
            json!({ "s": measure.slug, "after": after }),
        )
        .await;
    assert_eq!(
        next["measure"]["casesConnection"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let cause_slug = entities::causes::Entity::find_by_id(cause.cause_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .slug;
    let recommended = app
        .data(
            "query($c: [String!]) { recommend(input: { causes: $c }) { items { measure { slug } } } }",
            json!({ "c": [cause_slug] }),
        )
        .await;
    assert!(!recommended["recommend"]["items"]
        .as_array()
        .unwrap()
        .is_empty());
}

on_every_backend!(
    an_update_answers_with_what_it_wrote,
    no_op_and_out_of_range_edits_are_refused,
    control_characters_are_refused_naming_the_field,
    relations_larger_than_a_statement_answer,
);

/// #11: `recommend` takes a bounded number of cause slugs.
#[tokio::test]
async fn recommend_takes_a_bounded_list_of_causes() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let causes: Vec<String> = (0..80_000).map(|n| format!("c{n}")).collect();
    let response = app
        .graphql(
            "query($c: [String!]) { recommend(input: { causes: $c }) { items { score } } }",
            json!({ "c": causes }),
        )
        .await;
    assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response}");
    assert_eq!(response["errors"][0]["extensions"]["field"], "input.causes");
}

/// #3: made-up HTTP methods do not mint metric series.
#[tokio::test]
async fn made_up_methods_do_not_grow_the_metrics() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let before = app.get("/metrics").await.text().await.unwrap().len();
    for n in 0..300 {
        let method = reqwest::Method::from_bytes(format!("X{n:06}MMMM").as_bytes()).unwrap();
        app.client
            .request(method, format!("{}/x", app.address))
            .send()
            .await
            .unwrap();
    }
    let after = app.get("/metrics").await.text().await.unwrap();
    assert!(
        !after.contains("X000001"),
        "a made-up method became a label"
    );
    assert!(after.contains("method=\"other\""));
    assert!(
        after.len() < before + 4_000,
        "metrics grew from {before} to {} bytes",
        after.len()
    );
}

/// #8: a 429 carries the CORS and security headers, and preflights are never rate-limited.
#[tokio::test]
async fn a_refusal_for_rate_carries_cors_and_preflights_pass() {
    let origin = "http://planner.example";
    let app = TestApp::spawn_edge(|edge| {
        edge.rate_limit = 1;
        edge.rate_limit_burst = 2;
        edge.cors_origins = vec![origin.into()];
    })
    .await;
    for _ in 0..10 {
        let preflight = app
            .client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(
            preflight.status().is_success(),
            "preflight: {}",
            preflight.status()
        );
    }
    let mut refused = None;
    for _ in 0..5 {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("origin", origin)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            refused = Some(response);
            break;
        }
    }
    let refused = refused.expect("the bucket never ran dry");
    let headers = refused.headers();
    assert_eq!(headers["access-control-allow-origin"], origin);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers.contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
}

/// #12: a refused preflight answers in the API's error shape; an unknown route has a page.
#[tokio::test]
async fn edge_refusals_have_an_error_body() {
    let app = TestApp::spawn_edge(|edge| edge.cors_origins = vec!["http://a.example".into()]).await;
    let refused = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
        .header("origin", "http://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.expect("a JSON error body");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // An unknown path is the web app's 404 page, in the language the browser asks for.
    let missing = app
        .client
        .get(format!("{}/no-such-route", app.address))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(
        !missing.text().await.unwrap().trim().is_empty(),
        "a 404 without a body"
    );
}

/// #10: an edit that waits past SQLite's busy timeout is retryable: `UNAVAILABLE`, 503 with
/// `Retry-After`, not `INTERNAL`.
#[tokio::test]
async fn a_locked_database_is_unavailable_not_internal() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let token = app.token("blocked", Role::Editor).await;
    let (id, version) = case_version(&app, "fengdu-one-chicken").await;
    // Another writer holds the lock past the busy timeout (a second pool: a real other process
    // would do the same).
    let other = policy_kb::db::connect(&app.storage).await.unwrap();
    let lock = policy_kb::db::begin_write(&other).await.unwrap();
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({ "query": UPDATE_CASE, "variables": { "input": {
            "id": id, "version": version, "title": { "zh": "一只鸡", "en": "locked out" } } } }))
        .send()
        .await
        .unwrap();
    drop(lock);
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), ["UNAVAILABLE"], "{body}");
    assert_eq!(case_version(&app, "fengdu-one-chicken").await.1, version);
}

/// #2: a response larger than the bound is replaced by an error.
#[tokio::test]
async fn a_response_past_its_size_bound_is_refused() {
    let app = TestApp::spawn_edge(|edge| edge.max_response_bytes = 2_000).await;
    let response = app
        .graphql(
            "{ cases(first: 50) { nodes { summary { zh en } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response}");
    assert!(response["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("larger than 2000 bytes"));
    app.still_serves().await;
}

/// How the adversarial run damaged the index: a truncated term dictionary, a garbled store, a
/// deleted positions file.
#[derive(Clone, Copy, Debug)]
enum Damage {
    Truncate(&'static str),
    Garble(&'static str),
    Delete(&'static str),
}

fn damage(index: &std::path::Path, damage: Damage) {
    let (Damage::Truncate(ext) | Damage::Garble(ext) | Damage::Delete(ext)) = damage;
    let file = std::fs::read_dir(index)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == ext))
        .max_by_key(|path| std::fs::metadata(path).unwrap().len())
        .unwrap_or_else(|| panic!("no .{ext} file in {}", index.display()));
    let mut bytes = std::fs::read(&file).unwrap();
    match damage {
        Damage::Truncate(_) => bytes.truncate(bytes.len() / 2),
        Damage::Garble(_) => {
            let (middle, len) = (bytes.len() / 2, bytes.len());
            for byte in &mut bytes[middle.saturating_sub(64)..(middle + 64).min(len)] {
                *byte ^= 0x5a;
            }
        }
        Damage::Delete(_) => {
            std::fs::remove_file(&file).unwrap();
            return;
        }
    }
    std::fs::write(&file, bytes).unwrap();
}

/// #5: a damaged index neither stops the service nor leaves it failing: it is set aside and
/// rebuilt from the database on start, and `reindex` always works.
#[tokio::test]
async fn a_damaged_index_is_set_aside_and_rebuilt() {
    for kind in [
        Damage::Truncate("term"),
        Damage::Garble("store"),
        Damage::Delete("pos"),
    ] {
        let app = TestApp::spawn(&Backend::Sqlite).await;
        let (storage, data_dir) = app.stop().await;
        let index = data_dir.path().join("index");
        damage(&index, kind);

        let app = TestApp::spawn_on(storage, data_dir).await;
        assert_eq!(app.get("/ready").await.status(), 200, "{kind:?}");
        let titles = app.search_titles("养鸡").await;
        assert_eq!(titles[0].0, "fengdu-one-chicken", "{kind:?}");
        assert!(
            app.data_dir.path().join("index.damaged").is_dir(),
            "{kind:?}: the damaged index is kept aside"
        );
        let (_, data_dir) = app.stop().await;

        damage(&data_dir.path().join("index"), kind);
        let reindex = std::process::Command::new(env!("CARGO_BIN_EXE_policy-kb"))
            .arg("reindex")
            .env("KB_DATA_DIR", data_dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            reindex.status.success(),
            "{kind:?}: reindex failed: {}",
            String::from_utf8_lossy(&reindex.stderr)
        );
    }
}

/// #12: importing a file with no entries is an error naming the file, and logs no change.
#[test]
fn an_empty_import_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("cases.json");
    std::fs::write(&empty, "[]").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_policy-kb"))
            .args(args)
            .env("KB_DATA_DIR", dir.path().join("data"))
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    };
    assert!(run(&["seed"]).status.success());
    let import = run(&["import", empty.to_str().unwrap()]);
    assert!(!import.status.success());
    let stderr = String::from_utf8_lossy(&import.stderr);
    assert!(
        stderr.contains("cases.json") && stderr.contains("no entries"),
        "{stderr}"
    );

    let nul = dir.path().join("glossary.yaml");
    std::fs::write(
        &nul,
        "- slug: nul-term\n  term: \"术语\\0\"\n  pinyin: shu yu\n  english: term\n  explanation: {zh: 说明, en: explanation}\n  citations: [{section: {zh: 一, en: One}, excerpt: {zh: 术语, en: term}}]\n",
    )
    .unwrap();
    let import = run(&["import", nul.to_str().unwrap()]);
    assert!(!import.status.success());
    let stderr = String::from_utf8_lossy(&import.stderr);
    assert!(
        stderr.contains("glossary.yaml")
            && stderr.contains("nul-term")
            && stderr.contains("`term`")
            && stderr.contains("U+0000"),
        "{stderr}"
    );
}

/// A TCP proxy to PostgreSQL that the test can cut, as a network outage would.
struct Outage {
    port: u16,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Outage {
    async fn proxy_to(target: &str) -> Outage {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let connections = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (target, flag, open) = (target.to_string(), cut.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if flag.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open.lock().unwrap().push(task);
            }
        });
        Outage {
            port,
            cut,
            connections,
        }
    }

    fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn mend(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// #9: in a PostgreSQL outage, `/ready` says so promptly and reads fail with the retryable
/// `UNAVAILABLE` (503, `Retry-After`), not `INTERNAL`; when the database is back, so is the
/// service.
#[tokio::test]
async fn a_database_outage_is_unavailable_and_passes() {
    let Some(Backend::Postgres { admin_url }) = Backend::postgres() else {
        eprintln!("skipped: set KB_TEST_DATABASE_URL to run this test on PostgreSQL");
        assert!(
            std::env::var("KB_REQUIRE_POSTGRES").is_err(),
            "KB_REQUIRE_POSTGRES is set but KB_TEST_DATABASE_URL is not"
        );
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    let direct = Backend::Postgres { admin_url }
        .fresh_storage(&data_dir)
        .await;
    let url = direct.database_url().expose_secret().to_string();
    let outage = Outage::proxy_to("127.0.0.1:5432").await;
    let proxied = url.replacen("127.0.0.1:5432", &format!("127.0.0.1:{}", outage.port), 1);
    assert_ne!(proxied, url, "the test database is on 127.0.0.1:5432");
    let storage = policy_kb::settings::StorageSettings::new(data_dir.path(), Some(proxied));
    let app = TestApp::spawn_on(storage, data_dir).await;
    assert_eq!(app.get("/ready").await.status(), 200);

    outage.cut();
    assert_eq!(app.get("/ready").await.status(), 503);
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ cases(first: 1) { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert!(
        error_codes(&body).iter().all(|code| code == "UNAVAILABLE"),
        "{body}"
    );

    outage.mend();
    let mut ready = false;
    for _ in 0..50 {
        if app.get("/ready").await.status() == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the service did not come back with its database");
    app.still_serves().await;
}
