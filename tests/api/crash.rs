//! Crash safety: the server is killed with SIGKILL at random moments during a stream of edits,
//! twenty times, and restarted each time. Every acknowledged edit must then be in the database
//! with its revision, and search must return exactly the database's records: none missing,
//! none stale, none twice.

use secrecy::ExposeSecret;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::helpers::{Backend, ServerProcess as Server};
use crate::on_every_backend;

const ROUNDS: usize = 20;

#[derive(Debug, Clone)]
enum Ack {
    /// The case `slug` was created or renamed to `title`.
    Titled {
        slug: String,
        title: String,
    },
    Deleted {
        slug: String,
    },
}

async fn post(
    client: &reqwest::Client,
    server: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Option<Value> {
    let response = client
        .post(format!("{server}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .ok()?;
    let body: Value = response.json().await.ok()?;
    body.get("errors").is_none().then(|| body["data"].clone())
}

/// Creates, renames and deletes cases until the server dies; every answered edit is an `Ack`.
async fn edit_until_killed(
    server: String,
    token: String,
    round: usize,
    acks: Arc<Mutex<Vec<Ack>>>,
) {
    let client = reqwest::Client::new();
    let mut live: Vec<(String, String, i64)> = Vec::new();
    for n in 0.. {
        let slug = format!("crash-{round}-{n}");
        let title = format!("Crashtest round {round} edit {n}");
        let create =
            "mutation($input: CreateCaseInput!) { createCase(input: $input) { id version } }";
        let input = json!({ "input": {
            "slug": slug, "title": { "zh": "崩溃测试", "en": title }, "region": "fengdu",
            "citations": [{ "section": { "zh": "测试", "en": "test" }, "excerpt": { "zh": "测试", "en": "test" } }]
        } });
        let Some(data) = post(&client, &server, &token, create, input).await else {
            return;
        };
        acks.lock().unwrap().push(Ack::Titled {
            slug: slug.clone(),
            title,
        });
        live.push((
            slug,
            data["createCase"]["id"].as_str().unwrap().to_string(),
            1,
        ));
        if n % 2 == 1 {
            let (slug, id, version) = live[live.len() - 2].clone();
            let title = format!("Crashtest round {round} edit {n} renamed");
            let update =
                "mutation($input: UpdateCaseInput!) { updateCase(input: $input) { version } }";
            let input = json!({ "input": { "id": id, "version": version, "title": { "zh": "改名", "en": title } } });
            let Some(_) = post(&client, &server, &token, update, input).await else {
                return;
            };
            acks.lock().unwrap().push(Ack::Titled { slug, title });
            let at = live.len() - 2;
            live[at].2 += 1;
        }
        if n % 3 == 2 {
            let (slug, id, version) = live.remove(0);
            let delete = "mutation($input: DeleteInput!) { deleteCase(input: $input) }";
            let Some(_) = post(
                &client,
                &server,
                &token,
                delete,
                json!({ "input": { "id": id, "version": version } }),
            )
            .await
            else {
                return;
            };
            acks.lock().unwrap().push(Ack::Deleted { slug });
        }
    }
}

/// Every `(slug, English title)` search returns for `query`, over all pages.
async fn search_all(server: &str, query: &str) -> Vec<(String, String)> {
    let client = reqwest::Client::new();
    let mut found = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body: Value = client
            .post(format!("{server}/graphql"))
            .json(&json!({
                "query": "query($q: String!, $after: String) { search(query: $q, first: 100, after: $after) { hits { kind slug title { en } } pageInfo { hasNextPage endCursor } } }",
                "variables": { "q": query, "after": after },
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let result = &body["data"]["search"];
        for hit in result["hits"]
            .as_array()
            .unwrap_or_else(|| panic!("{body:#}"))
        {
            if hit["kind"] == "CASE" {
                found.push((
                    hit["slug"].as_str().unwrap().to_string(),
                    hit["title"]["en"].as_str().unwrap().to_string(),
                ));
            }
        }
        if result["pageInfo"]["hasNextPage"] != true {
            return found;
        }
        after = result["pageInfo"]["endCursor"].as_str().map(String::from);
    }
}

async fn acknowledged_edits_survive_sigkill_and_search_matches_the_database(backend: Backend) {
    let data_dir = tempfile::tempdir().unwrap();
    let storage = backend.fresh_storage(&data_dir).await;
    let env = vec![
        ("KB_DATA_DIR", data_dir.path().display().to_string()),
        (
            "DATABASE_URL",
            storage.database_url().expose_secret().to_string(),
        ),
    ];
    let token = {
        let output = Command::new(env!("CARGO_BIN_EXE_policy-kb"))
            .args([
                "token",
                "create",
                "--role",
                "editor",
                "--name",
                "crash-test",
            ])
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    };

    let acks = Arc::new(Mutex::new(Vec::new()));
    for round in 0..ROUNDS {
        let server = Server::start(&env);
        let editing = tokio::spawn(edit_until_killed(
            server.address.clone(),
            token.clone(),
            round,
            acks.clone(),
        ));
        let moment = Duration::from_millis(rand::rng().random_range(30..400));
        tokio::time::sleep(moment).await;
        server.kill();
        editing.await.unwrap();
    }
    let acks = acks.lock().unwrap().clone();
    assert!(
        acks.len() >= ROUNDS,
        "too few edits were acknowledged to test anything: {acks:?}"
    );

    let db = Database::connect(storage.database_url().expose_secret())
        .await
        .unwrap();
    let revisions = entities::revisions::Entity::find().all(&db).await.unwrap();
    let revised = |slug: &str, title: Option<&str>| {
        revisions.iter().any(|r| {
            let (record, state) = match title {
                Some(_) => (r.after.as_deref(), r.after.as_deref()),
                None => (r.before.as_deref(), r.after.as_deref()),
            };
            let record: Value = record
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            record["slug"] == slug
                && match title {
                    Some(title) => record["title"]["en"] == title,
                    None => state.is_none(),
                }
        })
    };
    for ack in &acks {
        match ack {
            Ack::Titled { slug, title } => assert!(
                revised(slug, Some(title)),
                "no revision for acknowledged {ack:?}"
            ),
            Ack::Deleted { slug } => {
                assert!(revised(slug, None), "no revision for acknowledged {ack:?}")
            }
        }
    }
    let cases: Vec<(String, String)> = entities::cases::Entity::find()
        .filter(entities::cases::Column::Slug.starts_with("crash-"))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|case| (case.slug, case.title_en))
        .collect();
    for ack in &acks {
        if let Ack::Deleted { slug } = ack {
            assert!(
                cases.iter().all(|(s, _)| s != slug),
                "acknowledged delete of {slug} is undone"
            );
        }
    }

    // Restarted, the server catches up from the index's last commit before it listens.
    let server = Server::start(&env);
    let mut found = search_all(&server.address, "crashtest").await;
    server.kill();
    let mut expected = cases;
    found.sort();
    expected.sort();
    eprintln!(
        "{} acknowledged edits across {ROUNDS} kills; {} cases in the database and in search",
        acks.len(),
        expected.len()
    );
    assert_eq!(
        found, expected,
        "search and database disagree after {ROUNDS} kills"
    );
}

on_every_backend!(acknowledged_edits_survive_sigkill_and_search_matches_the_database);
