//! The command line: `schema`, `migrate`, `seed` and helpful errors.

use std::process::Command;

use crate::helpers::{Backend, TestApp};

fn policy_kb(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_policy-kb"))
        .args(args)
        .env("KB_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("cannot run policy-kb")
}

#[tokio::test]
async fn schema_prints_the_same_sdl_the_server_serves() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let served = app.get("/schema.graphql").await.text().await.unwrap();
    let printed = policy_kb(&["schema"], app.data_dir.path());
    assert!(printed.status.success());
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), served);
}

#[test]
fn migrate_then_seed_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("fresh");
    let migrate = policy_kb(&["migrate"], &data_dir);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(
        data_dir.join("policy-kb.sqlite").exists(),
        "migrate creates the data dir and database"
    );

    let first = policy_kb(&["seed"], &data_dir);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("loaded the bundled knowledge base"));
    let second = policy_kb(&["seed"], &data_dir);
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("already holds"));
}

#[test]
fn subcommands_have_help_and_bad_flags_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["serve", "migrate", "seed", "schema"] {
        let help = policy_kb(&[sub, "--help"], dir.path());
        assert!(help.status.success());
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("--data-dir"),
            "{sub} --help"
        );
    }
    let bad = policy_kb(&["serve", "--bind", "not-an-address"], dir.path());
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--bind"));
    let unreachable = policy_kb(
        &[
            "migrate",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ],
        dir.path(),
    );
    assert!(!unreachable.status.success());
    assert!(String::from_utf8_lossy(&unreachable.stderr)
        .starts_with("error: cannot connect to the database"));
}

#[test]
fn search_prints_the_top_hits_and_reindex_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let reindex = policy_kb(&["reindex"], dir.path());
    assert!(
        reindex.status.success(),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    assert!(String::from_utf8_lossy(&reindex.stdout).starts_with("indexed "));
    let search = policy_kb(&["search", "养鸡", "--first", "3"], dir.path());
    assert!(
        search.status.success(),
        "{}",
        String::from_utf8_lossy(&search.stderr)
    );
    let out = String::from_utf8_lossy(&search.stdout);
    let first_hit = out
        .lines()
        .find(|line| line.trim_start().starts_with("1."))
        .unwrap_or_default();
    assert!(first_hit.contains("fengdu-one-chicken"), "{out}");
    assert!(
        out.contains("[鸡]") || out.contains("[养]"),
        "highlights are marked off a terminal: {out}"
    );
    let too_long = policy_kb(&["search", &"贫".repeat(500)], dir.path());
    assert!(!too_long.status.success());
    assert!(String::from_utf8_lossy(&too_long.stderr).contains("at most"));
}

#[test]
fn recommend_prints_a_ranked_plan_with_paths() {
    let dir = tempfile::tempdir().unwrap();
    let plan = policy_kb(
        &["recommend", "很多贫困户因病致贫，孩子辍学", "--first", "3"],
        dir.path(),
    );
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let out = String::from_utf8_lossy(&plan.stdout);
    assert!(out.contains("household-foundation-deficits"), "{out}");
    assert!(
        out.contains("path: ") && out.contains("(cause) -> ") && out.contains("(measure)"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("1. ")) && !out.lines().any(|l| l.starts_with("4. ")),
        "{out}"
    );
    let nothing = policy_kb(&["recommend", "asdf qwerty"], dir.path());
    assert!(nothing.status.success());
    assert!(String::from_utf8_lossy(&nothing.stdout).contains("nothing to recommend"));
    let unknown = policy_kb(&["recommend", "--cause", "no-such-cause"], dir.path());
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no-such-cause"));
}

#[test]
fn tokens_are_created_once_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let text = |output: &std::process::Output| String::from_utf8_lossy(&output.stdout).to_string();
    let created = policy_kb(
        &["token", "create", "--role", "admin", "--name", "ops"],
        dir.path(),
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let token = text(&created).trim().to_string();
    assert!(token.starts_with("pkb_") && token.len() > 40, "{token}");
    let database = std::fs::read(dir.path().join("policy-kb.sqlite")).unwrap();
    assert!(
        !database.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token itself must not be stored"
    );

    let again = policy_kb(
        &["token", "create", "--role", "editor", "--name", "ops"],
        dir.path(),
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let bad_role = policy_kb(
        &["token", "create", "--role", "root", "--name", "x"],
        dir.path(),
    );
    assert!(!bad_role.status.success());

    let listed = text(&policy_kb(&["token", "list"], dir.path()));
    assert!(
        listed.contains("ops\tadmin") && listed.contains("active"),
        "{listed}"
    );
    assert!(policy_kb(&["token", "revoke", "ops"], dir.path())
        .status
        .success());
    let listed = text(&policy_kb(&["token", "list"], dir.path()));
    assert!(listed.contains("revoked"), "{listed}");
    let unknown = policy_kb(&["token", "revoke", "nobody"], dir.path());
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no token named 'nobody'"));
}
