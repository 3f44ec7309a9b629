//! Restarting on the same data keeps it and duplicates nothing.

use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_every_backend;

on_every_backend!(restarting_keeps_the_data_and_duplicates_nothing);

const COUNTS: &str = "{ sources { slug } strategies { slug } dimensions { slug } causes { totalCount } measures { totalCount } cases { totalCount } regions { totalCount } statistics { totalCount } }";

async fn restarting_keeps_the_data_and_duplicates_nothing(backend: Backend) {
    let first = TestApp::spawn(&backend).await;
    let before = first.data(COUNTS, json!({})).await;
    assert_eq!(before["strategies"].as_array().unwrap().len(), 5);
    let (storage, data_dir) = first.stop().await;

    let second = TestApp::spawn_on(storage, data_dir).await;
    let after = second.data(COUNTS, json!({})).await;
    assert_eq!(before, after);
    assert!(
        !second.data_dir.path().join("index.damaged").exists(),
        "a sound index was taken for a damaged one"
    );
}
