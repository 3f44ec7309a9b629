//! Relations go through request-scoped DataLoaders: a query's SQL statement count does not
//! grow with the number of rows it returns.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use policy_kb::graphql::Api;
use policy_kb::kb::{self, CaseEntry, CitationEntry, KnowledgeBase, Link, Text};

use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(statement_count_is_constant_in_the_number_of_rows);

fn text(zh: String, en: String) -> Text {
    Text { zh, en }
}

/// 100 extra cases spread over the bundled regions and measures.
fn hundred_cases(regions: &[&str], measures: &[&str]) -> KnowledgeBase {
    let cases = (0..100)
        .map(|n| CaseEntry {
            slug: format!("generated-case-{n}"),
            region: Some(regions[n % regions.len()].to_string()),
            year: Some(2019),
            title: text(format!("生成案例{n}"), format!("Generated case {n}")),
            summary: None,
            actions: None,
            outcomes: None,
            actors: Vec::new(),
            outside: None,
            measures: vec![
                Link::Slug(measures[n % measures.len()].to_string()),
                Link::Slug(measures[(n + 1) % measures.len()].to_string()),
            ],
            citations: vec![CitationEntry {
                source: None,
                section: text("测试".into(), "test".into()),
                figure: None,
                excerpt: text("测试摘录".into(), "test excerpt".into()),
            }],
        })
        .collect();
    KnowledgeBase {
        cases,
        ..Default::default()
    }
}

async fn statement_count_is_constant_in_the_number_of_rows(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let txn = policy_kb::db::begin_write(&app.db).await.unwrap();
    kb::load(
        &txn,
        hundred_cases(
            &["wushan", "pengshui", "fengdu", "tongxin-village"],
            &[
                "industry-planning",
                "rural-infrastructure",
                "moral-and-aspiration-education",
            ],
        ),
        &kb::FileNames::default(),
        &mut |_| (),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();

    let statements = Arc::new(AtomicUsize::new(0));
    let mut counted = app.db.clone();
    let counter = statements.clone();
    counted.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let search =
        policy_kb::search::Search::open(app.data_dir.path().join("in-process").as_path()).unwrap();
    let api = Api::new(counted, search, Default::default(), Default::default());

    let query = "query($n: Int) { cases(first: $n) { totalCount nodes { slug region { slug parent { slug } } measures { slug strategy { slug dimension { slug } } causes { slug } } citations { excerpt { zh } } } } }";
    let mut counts = Vec::new();
    for n in [10, 100] {
        statements.store(0, Ordering::SeqCst);
        let request = async_graphql::Request::new(query).variables(
            async_graphql::Variables::from_json(serde_json::json!({ "n": n })),
        );
        let response = api.execute(request).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        let nodes = data["cases"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), n as usize);
        assert!(nodes.iter().all(|case| case["region"]["slug"].is_string()
            && case["measures"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["strategy"]["slug"].is_string())));
        counts.push(statements.load(Ordering::SeqCst));
    }
    // count + page, then one batch per relation level: regions, parents, case→measure links
    // joined to their measures, strategies, dimensions, measure→cause links joined to their
    // causes, citations. Exactly, on any machine under any load: batches wait for the level,
    // not for a timer.
    assert_eq!(counts, [9, 9], "statements for 10 and 100 cases");

    // A page that does not show its total does not count its list.
    statements.store(0, Ordering::SeqCst);
    let uncounted = query.replace("totalCount ", "");
    let response = api
        .execute(async_graphql::Request::new(uncounted).variables(
            async_graphql::Variables::from_json(serde_json::json!({ "n": 100 })),
        ))
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert_eq!(
        statements.load(Ordering::SeqCst),
        8,
        "statements without totalCount"
    );
}
