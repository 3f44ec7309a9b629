//! Real clients against the real server: the documents of `tests/clients/src` are compiled by
//! the Relay compiler and typed by GraphQL Code Generator against the committed
//! `schema.graphql` (then checked by `tsc`), and executed by relay-runtime, with graphql-ws for
//! the subscription. `.ci/run` installs them (`npm ci --prefix tests/clients`) and sets
//! `KB_REQUIRE_CLIENTS`, so that in CI a missing install fails instead of skipping.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use policy_kb::auth::Role;

use crate::helpers::{Backend, TestApp};

/// Runs `program args` in `dir` off the async runtime; fails the test with its output.
async fn run(dir: PathBuf, program: &'static str, args: Vec<String>, what: &str) {
    let output: Output = tokio::task::spawn_blocking(move || {
        Command::new(program)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|err| panic!("cannot run {program}: {err}"))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}");
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn relay_and_graphql_ws_clients_compile_and_run_against_the_server() {
    let clients = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    if !clients.join("node_modules/relay-compiler").exists() {
        assert!(
            std::env::var_os("KB_REQUIRE_CLIENTS").is_none(),
            "the client packages are not installed: run `npm ci --prefix tests/clients`"
        );
        eprintln!("skipped: run `npm ci --prefix tests/clients` to test real clients");
        return;
    }
    run(
        clients.clone(),
        "npm",
        vec!["run".into(), "--silent".into(), "compile".into()],
        "compiling the client documents against schema.graphql",
    )
    .await;
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let token = app.token("client-tests", Role::Editor).await;
    run(
        clients,
        "node",
        vec!["run.mjs".into(), format!("{}/graphql", app.address), token],
        "running the clients against the server",
    )
    .await;
}
