//! `createdAt` and `updatedAt`: on every record type, ISO 8601 in UTC, written by the bulk
//! loader and by every edit, and given to rows that predate them by their migration.

use policy_kb::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;

fn time(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    assert!(text.ends_with('Z'), "{text} is not in UTC");
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .to_utc()
}

const STAMPS: &str = "createdAt updatedAt";

on_every_backend!(every_record_type_has_timestamps);

async fn every_record_type_has_timestamps(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let started = chrono::Utc::now();
    let query = format!(
        "{{
        sources {{ {STAMPS} }}
        strategies {{ {STAMPS} }}
        dimensions {{ {STAMPS} }}
        glossary {{ {STAMPS} }}
        causes(first: 1) {{ nodes {{ {STAMPS} }} }}
        measures(first: 1) {{ nodes {{ {STAMPS} cases {{ {STAMPS} }} }} }}
        cases(first: 1) {{ nodes {{ {STAMPS} citations {{ {STAMPS} }} }} }}
        regions(first: 1, filter: {{region: \"fengdu\"}}) {{ nodes {{ {STAMPS} indicators {{ {STAMPS} }} }} }}
        statistics(first: 1) {{ nodes {{ {STAMPS} }} }}
        dateTime: __type(name: \"DateTime\") {{ kind specifiedByURL }}
    }}"
    );
    let data = app.data(&query, json!({})).await;
    assert_eq!(data["dateTime"]["kind"], "SCALAR");
    let mut stamped = 0;
    visit(&data, &mut |object| {
        if let Some(created) = object.get("createdAt") {
            let (created, updated) = (time(created), time(&object["updatedAt"]));
            assert!(created <= updated);
            // Seeded when the test app started, moments ago.
            assert!(started - created < chrono::TimeDelta::minutes(10));
            stamped += 1;
        }
    });
    assert!(stamped >= 11, "only {stamped} records were stamped");
}

fn visit(value: &Value, f: &mut impl FnMut(&serde_json::Map<String, Value>)) {
    match value {
        Value::Object(object) => {
            f(object);
            object.values().for_each(|v| visit(v, f));
        }
        Value::Array(items) => items.iter().for_each(|v| visit(v, f)),
        _ => {}
    }
}

on_every_backend!(edits_set_updated_at_and_keep_created_at);

async fn edits_set_updated_at_and_keep_created_at(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let token = app.token("editor", Role::Editor).await;
    let created = app
        .data_as(
            &token,
            &format!("mutation($input: CreateCaseInput!) {{ createCase(input: $input) {{ id {STAMPS} }} }}"),
            json!({ "input": {
                "slug": "stamped-case",
                "title": { "zh": "时间戳", "en": "Timestamps" },
                "citations": [{
                    "section": { "zh": "编辑补充", "en": "Added by an editor" },
                    "excerpt": { "zh": "时间", "en": "time" }
                }]
            } }),
        )
        .await["createCase"]
        .clone();
    assert_eq!(created["createdAt"], created["updatedAt"]);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let updated = app
        .data_as(
            &token,
            &format!(
                "mutation($input: UpdateCaseInput!) {{ updateCase(input: $input) {{ {STAMPS} }} }}"
            ),
            json!({ "input": { "id": created["id"], "version": 1,
                "title": { "zh": "新时间戳", "en": "New timestamps" } } }),
        )
        .await["updateCase"]
        .clone();
    assert_eq!(updated["createdAt"], created["createdAt"]);
    assert!(time(&updated["updatedAt"]) > time(&created["updatedAt"]));
}

/// Rows written before the timestamps existed get the time of the migration.
#[tokio::test]
async fn the_migration_stamps_existing_rows() {
    use migrations::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, EntityTrait};

    let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    let before_timestamps = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261201_000002_timestamps")
        .expect("the timestamps migration") as u32;
    Migrator::up(&db, Some(before_timestamps)).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO dimensions (slug, version, name_zh, name_en) VALUES ('old', 1, '旧', 'Old')",
    )
    .await
    .unwrap();
    let before = chrono::Utc::now();
    Migrator::up(&db, None).await.unwrap();
    let row = entities::dimensions::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let created = time(&json!(row.created_at));
    assert_eq!(row.created_at, row.updated_at);
    assert!(created >= before - chrono::TimeDelta::milliseconds(1));
    assert!(created <= chrono::Utc::now());
}
