//! Editing through the API: tokens and roles, validation, optimistic concurrency, links,
//! cascades, history and revert, and search staying in step with every edit.

use secrecy::ExposeSecret;
use std::time::Duration;

use policy_kb::auth::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

use crate::helpers::{error_codes, Backend, TestApp};
use crate::on_every_backend;

/// How soon an acknowledged edit must be searchable.
const SEARCHABLE_WITHIN: Duration = Duration::from_secs(1);

const CREATE_CASE: &str = "mutation($input: CreateCaseInput!) {
    createCase(input: $input) { id slug version title { zh en } region { slug } measures { slug } }
}";
const UPDATE_CASE: &str = "mutation($input: UpdateCaseInput!) {
    updateCase(input: $input) { id slug version title { zh en } summary { en } region { slug } }
}";
const DELETE_CASE: &str = "mutation($input: DeleteInput!) { deleteCase(input: $input) }";
const HISTORY: &str = "query($id: ID!) {
    history(id: $id) { id operation actor at recordId before after reverts }
}";

fn new_case(slug: &str, title_en: &str) -> Value {
    json!({
        "slug": slug,
        "title": { "zh": "村级互助养老服务点", "en": title_en },
        "region": "fengdu",
        "year": 2020,
        "summary": { "zh": "村里建起互助养老点。", "en": "A village sets up a mutual-aid elderly care point." },
        "citations": [{
            "section": { "zh": "编辑补充", "en": "Added by an editor" },
            "excerpt": { "zh": "互助养老", "en": "mutual-aid elderly care" }
        }]
    })
}

async fn create_case(app: &TestApp, token: &str, slug: &str, title_en: &str) -> Value {
    app.data_as(
        token,
        CREATE_CASE,
        json!({ "input": new_case(slug, title_en) }),
    )
    .await["createCase"]
        .clone()
}

async fn case_count(app: &TestApp) -> u64 {
    entities::cases::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

async fn revision_count(app: &TestApp) -> u64 {
    entities::revisions::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

async fn id_of(app: &TestApp, lookup: &str, slug: &str) -> (String, i64) {
    let query = format!("query($s: String!) {{ {lookup}(slug: $s) {{ id version }} }}");
    let data = app.data(&query, json!({ "s": slug })).await;
    (
        data[lookup]["id"].as_str().unwrap().to_string(),
        data[lookup]["version"].as_i64().unwrap(),
    )
}

async fn mutations_need_a_token_with_the_right_role(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor-1", Role::Editor).await;
    let (cases, revisions) = (case_count(&app).await, revision_count(&app).await);
    let input = json!({ "input": new_case("tokenless", "Tokenless") });

    let anonymous = app.graphql(CREATE_CASE, input.clone()).await;
    assert_eq!(
        error_codes(&anonymous),
        ["UNAUTHENTICATED"],
        "{anonymous:#}"
    );
    let forged = app
        .graphql_as("pkb_not-a-real-token", CREATE_CASE, input.clone())
        .await;
    assert_eq!(error_codes(&forged), ["UNAUTHENTICATED"]);
    let basic = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Authorization", format!("Basic {editor}"))
        .json(&json!({ "query": CREATE_CASE, "variables": input.clone() }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(error_codes(&basic), ["UNAUTHENTICATED"]);

    // An editor cannot revert; the revision it names need not even exist.
    let revert = app
        .graphql_as(
            &editor,
            "mutation { revert(revision: \"UmV2aXNpb246MQ\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&revert), ["FORBIDDEN"], "{revert:#}");

    policy_kb::auth::revoke(&app.db, "editor-1").await.unwrap();
    let revoked = app.graphql_as(&editor, CREATE_CASE, input).await;
    assert_eq!(error_codes(&revoked), ["UNAUTHENTICATED"]);

    assert_eq!(
        case_count(&app).await,
        cases,
        "a refused mutation wrote a case"
    );
    assert_eq!(revision_count(&app).await, revisions);
    // Reads stay public.
    assert!(app
        .graphql("{ cases(first: 1) { totalCount } }", json!({}))
        .await
        .get("errors")
        .is_none());
}

async fn a_case_is_created_updated_and_deleted_with_its_history(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("maria", Role::Editor).await;
    let created = create_case(
        &app,
        &editor,
        "mutual-aid-care",
        "Mutual-aid elderly care point",
    )
    .await;
    assert_eq!(created["version"], 1);
    assert_eq!(created["region"]["slug"], "fengdu");
    let id = created["id"].as_str().unwrap().to_string();

    let updated = app
        .data_as(
            &editor,
            UPDATE_CASE,
            json!({ "input": { "id": id, "version": 1,
                "title": { "zh": "村级互助养老点", "en": "Village mutual-aid care point" },
                "summary": null } }),
        )
        .await["updateCase"]
        .clone();
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["title"]["en"], "Village mutual-aid care point");
    assert_eq!(
        updated["summary"],
        Value::Null,
        "null clears an optional field"
    );
    assert_eq!(
        updated["region"]["slug"], "fengdu",
        "fields not named stay as they were"
    );

    // A stale version is a conflict and changes nothing.
    let stale = app
        .graphql_as(
            &editor,
            UPDATE_CASE,
            json!({ "input": { "id": id, "version": 1, "title": { "zh": "旧", "en": "Stale" } } }),
        )
        .await;
    assert_eq!(error_codes(&stale), ["CONFLICT"], "{stale:#}");
    let stale_delete = app
        .graphql_as(
            &editor,
            DELETE_CASE,
            json!({ "input": { "id": id, "version": 1 } }),
        )
        .await;
    assert_eq!(error_codes(&stale_delete), ["CONFLICT"]);
    let now = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Case { version title { en } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["node"]["title"]["en"], "Village mutual-aid care point");
    assert_eq!(now["node"]["version"], 2);

    let deleted = app
        .data_as(
            &editor,
            DELETE_CASE,
            json!({ "input": { "id": id, "version": 2 } }),
        )
        .await;
    assert_eq!(deleted["deleteCase"], id);
    let gone = app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(gone["node"], Value::Null);

    let history = app.data(HISTORY, json!({ "id": id })).await["history"].clone();
    let operations: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["delete", "update", "create"]);
    let update = &history[1];
    assert_eq!(update["actor"], "maria");
    assert_eq!(update["recordId"], id);
    assert_eq!(
        update["before"]["title"]["en"],
        "Mutual-aid elderly care point"
    );
    assert_eq!(
        update["after"]["title"]["en"],
        "Village mutual-aid care point"
    );
    assert_eq!(history[0]["after"], Value::Null);
    assert_eq!(history[2]["before"], Value::Null);
}

async fn bad_input_names_the_field_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let before = (case_count(&app).await, revision_count(&app).await);
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut missing_en = new_case("missing-en", "x");
    missing_en["title"]["en"] = json!("  ");
    cases.push((missing_en, "input.title.en"));
    cases.push((new_case("Not A Slug", "x"), "input.slug"));
    let mut dangling = new_case("dangling", "x");
    dangling["region"] = json!("atlantis");
    cases.push((dangling, "input.region"));
    let mut future = new_case("future", "x");
    future["year"] = json!(3000);
    cases.push((future, "input.year"));
    let mut uncited = new_case("uncited", "x");
    uncited["citations"] = json!([]);
    cases.push((uncited, "input.citations"));
    let mut long = new_case("long-title", "x");
    long["title"]["en"] = json!("x".repeat(301));
    cases.push((long, "input.title.en"));
    cases.push((new_case("fengdu-one-chicken", "x"), "input.slug"));
    for (input, field) in cases {
        let response = app
            .graphql_as(&editor, CREATE_CASE, json!({ "input": input }))
            .await;
        assert_eq!(error_codes(&response), ["BAD_USER_INPUT"], "{response:#}");
        assert_eq!(
            response["errors"][0]["extensions"]["field"], field,
            "{response:#}"
        );
    }
    let (id, version) = id_of(&app, "case", "fengdu-one-chicken").await;
    let response = app
        .graphql_as(
            &editor,
            UPDATE_CASE,
            json!({ "input": { "id": id, "version": version, "region": "nowhere" } }),
        )
        .await;
    assert_eq!(
        response["errors"][0]["extensions"]["field"], "input.region",
        "{response:#}"
    );
    let wrong_kind = app
        .graphql_as(&editor, DELETE_CASE, json!({ "input": { "id": id_of(&app, "measure", "honour-hard-work").await.0, "version": 1 } }))
        .await;
    assert_eq!(wrong_kind["errors"][0]["extensions"]["field"], "input.id");
    assert_eq!((case_count(&app).await, revision_count(&app).await), before);
}

const LINK_CASE_MEASURE: &str = "mutation($input: CaseMeasureInput!) {
    linkCaseMeasure(input: $input) { version measures { slug } }
}";
const UNLINK_CASE_MEASURE: &str = "mutation($input: CaseMeasureInput!) {
    unlinkCaseMeasure(input: $input) { version measures { slug } }
}";

async fn links_are_made_and_removed(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let case = create_case(&app, &editor, "linked-case", "Linked case").await;
    let (measure, _) = id_of(&app, "measure", "honour-hard-work").await;
    let input = json!({ "input": { "case": case["id"], "measure": measure,
        "rationale": { "zh": "评选表彰", "en": "awards for hard work" } } });
    let linked = app.data_as(&editor, LINK_CASE_MEASURE, input.clone()).await;
    assert_eq!(
        linked["linkCaseMeasure"]["measures"],
        json!([{ "slug": "honour-hard-work" }])
    );
    let cases_of_measure = app
        .data(
            "{ measure(slug: \"honour-hard-work\") { cases { slug } } }",
            json!({}),
        )
        .await;
    assert!(cases_of_measure.to_string().contains("linked-case"));

    let unlinked = app
        .data_as(&editor, UNLINK_CASE_MEASURE, input.clone())
        .await;
    assert_eq!(unlinked["unlinkCaseMeasure"]["measures"], json!([]));
    let again = app.graphql_as(&editor, UNLINK_CASE_MEASURE, input).await;
    assert_eq!(error_codes(&again), ["NOT_FOUND"], "{again:#}");

    // A statistic must stay evidence for something.
    let (statistic, _) = id_of(
        &app,
        "statistic",
        &first_statistic_with_only_a_cause(&app).await,
    )
    .await;
    let cause = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Statistic { cause { id } } } }",
            json!({ "id": statistic }),
        )
        .await["node"]["cause"]["id"]
        .clone();
    let orphan = app
        .graphql_as(
            &editor,
            "mutation($input: StatisticCauseInput!) { unlinkStatisticCause(input: $input) { id } }",
            json!({ "input": { "statistic": statistic, "cause": cause } }),
        )
        .await;
    assert_eq!(error_codes(&orphan), ["BAD_USER_INPUT"], "{orphan:#}");
}

async fn first_statistic_with_only_a_cause(app: &TestApp) -> String {
    entities::statistics::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.cause_id.is_some() && s.dimension_id.is_none())
        .expect("the bundled data has statistics of causes")
        .slug
}

async fn deleting_a_linked_record_conflicts_unless_cascading(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let (measure, version) = id_of(&app, "measure", "honour-hard-work").await;
    let delete = "mutation($input: DeleteInput!) { deleteMeasure(input: $input) }";
    let refused = app
        .graphql_as(
            &editor,
            delete,
            json!({ "input": { "id": measure, "version": version } }),
        )
        .await;
    assert_eq!(error_codes(&refused), ["CONFLICT"], "{refused:#}");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    let linking_case = app
        .data(
            "{ measure(slug: \"honour-hard-work\") { cases { slug } } }",
            json!({}),
        )
        .await["measure"]["cases"][0]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains(&linking_case),
        "the conflict should name {linking_case}: {message}"
    );
    assert!(app
        .data("{ measure(slug: \"honour-hard-work\") { id } }", json!({}))
        .await["measure"]
        .is_object());

    app.data_as(
        &editor,
        delete,
        json!({ "input": { "id": measure, "version": version, "cascade": true } }),
    )
    .await;
    let case = app
        .data(
            "query($s: String!) { case(slug: $s) { id measures { slug } } }",
            json!({ "s": linking_case }),
        )
        .await["case"]
        .clone();
    assert!(!case["measures"].to_string().contains("honour-hard-work"));
    let history = app.data(HISTORY, json!({ "id": case["id"] })).await;
    assert_eq!(history["history"][0]["operation"], "unlink");
}

async fn an_admin_reverts_updates_and_deletes(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let admin = app.token("admin", Role::Admin).await;
    let case = create_case(&app, &editor, "reverted-case", "Original title").await;
    let id = case["id"].as_str().unwrap();
    app.data_as(&editor, UPDATE_CASE, json!({ "input": { "id": id, "version": 1, "title": { "zh": "改", "en": "Changed title" } } }))
        .await;
    let update = app.data(HISTORY, json!({ "id": id })).await["history"][0]["id"].clone();

    let revert = "mutation($r: ID!) { revert(revision: $r) { id operation reverts after } }";
    let reverted = app.data_as(&admin, revert, json!({ "r": update })).await["revert"].clone();
    assert_eq!(reverted["operation"], "revert");
    assert_eq!(reverted["reverts"], update);
    assert_eq!(reverted["after"]["title"]["en"], "Original title");
    // The record has moved on since that revision: reverting it again is a conflict.
    let twice = app.graphql_as(&admin, revert, json!({ "r": update })).await;
    assert_eq!(error_codes(&twice), ["CONFLICT"], "{twice:#}");

    let version = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Case { version } } }",
            json!({ "id": id }),
        )
        .await["node"]["version"]
        .clone();
    app.data_as(
        &editor,
        DELETE_CASE,
        json!({ "input": { "id": id, "version": version } }),
    )
    .await;
    let deletion = app.data(HISTORY, json!({ "id": id })).await["history"][0]["id"].clone();
    app.data_as(&admin, revert, json!({ "r": deletion })).await;
    let restored = app
        .data("query($id: ID!) { node(id: $id) { ... on Case { slug title { en } region { slug } } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        restored["node"]["slug"], "reverted-case",
        "a reverted delete keeps the record's ID"
    );
    assert_eq!(restored["node"]["title"]["en"], "Original title");
}

/// An update of what only a record's own search document reads (a summary, a statistic's
/// series) leaves every other record's document as it was, so the indexer rebuilds only the
/// record's own (`changes::Operation::Amend`): this holds the editor's account of what other
/// documents read to the document builder. A new name does reach the documents that show it.
#[tokio::test]
async fn an_amendment_rebuilds_only_its_own_document() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let editor = app.token("editor", Role::Editor).await;
    let documents = || async {
        let graph = policy_kb::graph::Graph::load(&app.db).await.unwrap();
        let built = policy_kb::search::from_database(&app.db, &graph)
            .await
            .unwrap();
        built
            .into_iter()
            .map(|d| ((d.kind, d.id), d))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let mut before = documents().await;
    for (lookup, slug, field) in [
        ("case", "chengkou-culture-platforms", "summary"),
        ("measure", "honour-hard-work", "summary"),
        ("cause", "weak-basic-conditions", "summary"),
        ("statistic", "helpers-weak-will", "series"),
        ("region", "wushan", "summary"),
        // Not an amendment: other documents show a measure's title.
        ("measure", "honour-hard-work", "title"),
    ] {
        let (id, version) = id_of(&app, lookup, slug).await;
        let mutation = format!(
            "mutation($input: Update{}{}Input!) {{ update{0}{1}(input: $input) {{ version }} }}",
            lookup[..1].to_uppercase(),
            &lookup[1..]
        );
        let marker = format!("amended {lookup} {field}");
        let input = json!({ "input": { "id": id, "version": version,
            field: { "zh": "修订", "en": marker } } });
        app.data_as(&editor, &mutation, input).await;

        let after = documents().await;
        let changed: Vec<_> = after
            .iter()
            .filter(|(key, document)| before.get(key) != Some(document))
            .map(|(key, document)| (key, document.slug.clone()))
            .collect();
        let own = changed.iter().any(|(_, changed)| changed == slug);
        assert!(
            own,
            "{lookup} {slug}: its own document shows the new {field}"
        );
        if field == "title" {
            assert!(
                changed.len() > 1,
                "a new title reaches the documents that show it"
            );
        } else {
            assert_eq!(changed.len(), 1, "{lookup} {slug} {field}: {changed:?}");
        }
        let found = app
            // Not a measure of speed (that is `scripts/bench-edit.sh`): only that it arrives.
            .search_until(&marker, Duration::from_secs(30), |hits| {
                hits.iter().any(|(found, _)| found == slug)
            })
            .await;
        assert!(found, "the amended {lookup} is found by its new {field}");
        before = after;
    }
}

async fn edits_are_searchable_within_a_second(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let case = create_case(
        &app,
        &editor,
        "zeppelin-case",
        "Zeppelin workshop for returning migrants",
    )
    .await;
    let found = app
        .search_until("zeppelin", SEARCHABLE_WITHIN, |hits| {
            hits.iter().any(|(slug, _)| slug == "zeppelin-case")
        })
        .await;
    assert!(
        found,
        "a created case was not searchable within {SEARCHABLE_WITHIN:?}"
    );

    let (measure, _) = id_of(&app, "measure", "honour-hard-work").await;
    app.data_as(
        &editor,
        LINK_CASE_MEASURE,
        json!({ "input": { "case": case["id"], "measure": measure } }),
    )
    .await;
    // The measure's document carries the titles of its cases: it follows the link.
    let measure_found = app
        .search_until("zeppelin", SEARCHABLE_WITHIN, |hits| {
            hits.iter().any(|(slug, _)| slug == "honour-hard-work")
        })
        .await;
    assert!(
        measure_found,
        "the linked measure's document did not pick up the case"
    );

    app.data_as(&editor, UPDATE_CASE, json!({ "input": { "id": case["id"], "version": 2, "title": { "zh": "飞艇", "en": "Airship workshop" } } }))
        .await;
    let renamed = app
        .search_until("zeppelin", SEARCHABLE_WITHIN, |hits| hits.is_empty())
        .await;
    assert!(
        renamed,
        "a renamed case (and its measure) still matched its old title"
    );
    assert!(app
        .search_titles("airship")
        .await
        .iter()
        .any(|(slug, _)| slug == "zeppelin-case"));

    app.data_as(
        &editor,
        DELETE_CASE,
        json!({ "input": { "id": case["id"], "version": 3 } }),
    )
    .await;
    let gone = app
        .search_until("airship", SEARCHABLE_WITHIN, |hits| hits.is_empty())
        .await;
    assert!(gone, "a deleted case was still found");
}

async fn concurrent_editors_never_see_a_busy_database(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let creates = (0..16).map(|n| {
        let (app, editor) = (&app, &editor);
        async move {
            app.graphql_as(
                editor,
                CREATE_CASE,
                json!({ "input": new_case(&format!("parallel-{n}"), &format!("Parallel {n}")) }),
            )
            .await
        }
    });
    for response in futures_util::future::join_all(creates).await {
        assert!(response.get("errors").is_none(), "{response:#}");
    }
    // Sixteen editors updating one case from the same version: one wins, the others conflict.
    let (id, version) = id_of(&app, "case", "parallel-0").await;
    let updates = (0..16).map(|n| {
        let (app, editor, id) = (&app, &editor, &id);
        async move {
            app.graphql_as(editor, UPDATE_CASE, json!({ "input": { "id": id, "version": version, "title": { "zh": "并发", "en": format!("Writer {n}") } } }))
                .await
        }
    });
    let responses = futures_util::future::join_all(updates).await;
    let codes: Vec<Vec<String>> = responses.iter().map(error_codes).collect();
    assert_eq!(
        codes.iter().filter(|c| c.is_empty()).count(),
        1,
        "{codes:?}"
    );
    assert!(
        codes.iter().all(|c| c.is_empty() || c == &["CONFLICT"]),
        "{codes:?}"
    );
    assert_eq!(id_of(&app, "case", "parallel-0").await.1, version + 1);
}

async fn an_edit_on_one_replica_is_searchable_on_another(backend: Backend) {
    let first = TestApp::spawn(&backend).await;
    let other_dir = tempfile::tempdir().unwrap();
    let shared = policy_kb::settings::StorageSettings::new(
        other_dir.path(),
        Some(first.storage.database_url().expose_secret().to_string()),
    );
    let second = TestApp::spawn_on(shared, other_dir).await;
    let editor = first.token("editor", Role::Editor).await;
    create_case(&first, &editor, "replicated-case", "Gondola cooperative").await;
    let found = second
        .search_until("gondola", SEARCHABLE_WITHIN, |hits| {
            hits.iter().any(|(slug, _)| slug == "replicated-case")
        })
        .await;
    assert!(
        found,
        "the other replica did not index the edit within {SEARCHABLE_WITHIN:?}"
    );
    // And the other way round, with the second replica's token check reading the same table.
    let reverse = second.data_as(&editor, UPDATE_CASE, json!({ "input": { "id": id_of(&second, "case", "replicated-case").await.0, "version": 1, "title": { "zh": "缆车", "en": "Cable-car cooperative" } } })).await;
    assert_eq!(reverse["updateCase"]["version"], 2);
    let moved = first
        .search_until("gondola", SEARCHABLE_WITHIN, |hits| hits.is_empty())
        .await;
    assert!(moved, "the first replica kept the old title");
    second.stop().await;
    first.stop().await;
}

on_every_backend!(
    mutations_need_a_token_with_the_right_role,
    a_case_is_created_updated_and_deleted_with_its_history,
    bad_input_names_the_field_and_writes_nothing,
    links_are_made_and_removed,
    deleting_a_linked_record_conflicts_unless_cascading,
    an_admin_reverts_updates_and_deletes,
    edits_are_searchable_within_a_second,
    concurrent_editors_never_see_a_busy_database,
    an_edit_on_one_replica_is_searchable_on_another,
    aliases_are_edited_with_revisions_and_read_at_once,
    provenance_qualifiers_and_actors_are_edited_with_revisions,
);

async fn aliases_are_edited_with_revisions_and_read_at_once(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let (id, version) = id_of(&app, "cause", "fragmented-aid").await;
    let update = "mutation($input: UpdateCauseInput!) {
        updateCause(input: $input) { version aliases { zh en } } }";
    let before = app
        .data(
            "{ cause(slug: \"fragmented-aid\") { aliases { zh en } } }",
            json!({}),
        )
        .await["cause"]["aliases"]
        .clone();
    let updated = app
        .data_as(
            &editor,
            update,
            json!({ "input": { "id": id, "version": version,
                "aliases": { "zh": ["九龙治水各自为战"] } } }),
        )
        .await["updateCause"]
        .clone();
    assert_eq!(updated["aliases"]["zh"], json!(["九龙治水各自为战"]));
    assert_eq!(
        updated["aliases"]["en"], before["en"],
        "a language left out keeps its list"
    );
    let history = app.data(HISTORY, json!({ "id": id })).await["history"].clone();
    assert_eq!(
        history[0]["after"]["aliases"]["zh"],
        json!(["九龙治水各自为战"])
    );
    assert_eq!(history[0]["before"]["aliases"]["zh"], before["zh"]);

    // Search and recommend read the new alias (traditional characters too).
    let found = app
        .search_until("九龍治水各自為戰", SEARCHABLE_WITHIN, |hits| {
            hits.first()
                .is_some_and(|(slug, _)| slug == "fragmented-aid")
        })
        .await;
    assert!(
        found,
        "the new alias was not searchable within {SEARCHABLE_WITHIN:?}"
    );
    let recommended = app
        .data(
            "{ recommend(input: { text: \"我们县九龙治水各自为战\" }) { matchedTerms { name slug } items { strategy { slug } } } }",
            json!({}),
        )
        .await["recommend"]
        .clone();
    assert_eq!(recommended["matchedTerms"][0]["name"], "九龙治水各自为战");
    assert_eq!(recommended["matchedTerms"][0]["slug"], "fragmented-aid");
    assert_eq!(recommended["items"][0]["strategy"]["slug"], "organisation");

    // A bad alias names its place and changes nothing.
    let bad = app
        .graphql_as(
            &editor,
            update,
            json!({ "input": { "id": id, "version": version + 1,
                "aliases": { "en": ["spread thin", "Spread Thin"] } } }),
        )
        .await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"], "{bad:#}");
    assert_eq!(
        bad["errors"][0]["extensions"]["field"], "input.aliases.en[1]",
        "{bad:#}"
    );
    let (_, unchanged) = id_of(&app, "cause", "fragmented-aid").await;
    assert_eq!(unchanged, version + 1);
}

async fn provenance_qualifiers_and_actors_are_edited_with_revisions(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let editor = app.token("editor", Role::Editor).await;
    let case = create_case(&app, &editor, "stated-case", "Stated case").await;
    let (measure, _) = id_of(&app, "measure", "honour-hard-work").await;
    let link = "mutation($input: CaseMeasureInput!) {
        linkCaseMeasure(input: $input) { measureLinks { target { slug } provenance { kind citation { excerpt { zh } } rationale { en } } } } }";

    // A stated link names the case's citation that states it; one past the end is refused.
    let before = revision_count(&app).await;
    let refused = app
        .graphql_as(
            &editor,
            link,
            json!({ "input": { "case": case["id"], "measure": measure, "citation": 5 } }),
        )
        .await;
    assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused:#}");
    assert!(refused.to_string().contains("citation"), "{refused:#}");
    let both = app
        .graphql_as(
            &editor,
            link,
            json!({ "input": { "case": case["id"], "measure": measure, "citation": 0,
            "rationale": { "zh": "因", "en": "why" } } }),
        )
        .await;
    assert!(both.to_string().contains("not both"), "{both:#}");
    assert_eq!(
        revision_count(&app).await,
        before,
        "refused links write nothing"
    );
    let stated = app
        .data_as(
            &editor,
            link,
            json!({ "input": { "case": case["id"], "measure": measure, "citation": 0 } }),
        )
        .await;
    let provenance = &stated["linkCaseMeasure"]["measureLinks"][0]["provenance"];
    assert_eq!(provenance["kind"], "STATED");
    assert!(provenance["citation"]["excerpt"]["zh"].is_string());
    assert_eq!(revision_count(&app).await, before + 1);

    // A qualifier, the question behind a statistic, an outside mark and a case's actors are
    // fields like any other: edited by update, with a revision.
    let (statistic, version) = id_of(&app, "statistic", "aid-money").await;
    let updated = app
        .data_as(
            &editor,
            "mutation($input: UpdateStatisticInput!) { updateStatistic(input: $input) { qualifier multipleAnswers base { en } outside { en } } }",
            json!({ "input": { "id": statistic, "version": version, "qualifier": "ABOUT",
                "base": { "zh": "受访者", "en": "respondents" },
                "outside": { "zh": "约数取自另一项调查。", "en": "The rounding follows another survey." } } }),
        )
        .await;
    assert_eq!(updated["updateStatistic"]["qualifier"], "ABOUT");
    assert_eq!(updated["updateStatistic"]["multipleAnswers"], true);
    assert_eq!(updated["updateStatistic"]["base"]["en"], "respondents");
    // Any record can say what it holds from outside the source.
    assert_eq!(
        updated["updateStatistic"]["outside"]["en"],
        "The rounding follows another survey."
    );
    let (case_id, version) = id_of(&app, "case", "stated-case").await;
    let actors = app
        .data_as(
            &editor,
            "mutation($input: UpdateCaseInput!) { updateCase(input: $input) { actors { slug kind name { en } } } }",
            json!({ "input": { "id": case_id, "version": version, "actors": [
                { "slug": "a-village-cadre", "kind": "PERSON", "name": { "zh": "某干部", "en": "A cadre" } } ] } }),
        )
        .await;
    assert_eq!(
        actors["updateCase"]["actors"],
        json!([{ "slug": "a-village-cadre", "kind": "PERSON", "name": { "en": "A cadre" } }])
    );
    assert_eq!(revision_count(&app).await, before + 3);
}
