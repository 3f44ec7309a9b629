//! Starting the real server for a test: port 0, a temporary data dir, and either SQLite or a
//! fresh PostgreSQL database (when `KB_TEST_DATABASE_URL` is set).

use secrecy::ExposeSecret;
use std::sync::atomic::{AtomicU32, Ordering};

use policy_kb::settings::{EdgeSettings, ServeSettings, StorageSettings};
use policy_kb::startup::Application;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{json, Value};
use tempfile::TempDir;

/// Which database a test runs against.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

impl Backend {
    /// PostgreSQL when `KB_TEST_DATABASE_URL` names a server, else `None` (the test is skipped).
    pub fn postgres() -> Option<Backend> {
        std::env::var("KB_TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .map(|admin_url| Backend::Postgres { admin_url })
    }

    /// Settings for a new, empty database of this backend in `data_dir`.
    pub async fn fresh_storage(&self, data_dir: &TempDir) -> StorageSettings {
        match self {
            Backend::Sqlite => StorageSettings::new(data_dir.path(), None),
            Backend::Postgres { admin_url } => StorageSettings::new(
                data_dir.path(),
                Some(fresh_postgres_database(admin_url).await),
            ),
        }
    }
}

/// Creates a database with a unique name next to the one `admin_url` names, and returns its URL.
async fn fresh_postgres_database(admin_url: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "kb_test_{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let admin = Database::connect(admin_url)
        .await
        .expect("KB_TEST_DATABASE_URL does not answer");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("cannot create a test database");
    admin.close().await.ok();
    let (server, _database) = admin_url
        .rsplit_once('/')
        .expect("KB_TEST_DATABASE_URL must name a database");
    format!("{server}/{name}")
}

pub struct TestApp {
    pub address: String,
    pub handle: actix_web::dev::ServerHandle,
    running: tokio::task::JoinHandle<std::io::Result<()>>,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub storage: StorageSettings,
    /// Kept alive for the test's duration; removed on drop.
    pub data_dir: TempDir,
}

impl TestApp {
    pub async fn spawn(backend: &Backend) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let storage = backend.fresh_storage(&data_dir).await;
        TestApp::spawn_on(storage, data_dir).await
    }

    /// Starts a server on existing storage (to test restarts).
    pub async fn spawn_on(storage: StorageSettings, data_dir: TempDir) -> TestApp {
        TestApp::spawn_with(storage, data_dir, EdgeSettings::default()).await
    }

    /// A server on SQLite whose edge settings `configure` adjusts.
    pub async fn spawn_edge(configure: impl FnOnce(&mut EdgeSettings)) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let storage = Backend::Sqlite.fresh_storage(&data_dir).await;
        let mut edge = EdgeSettings::default();
        configure(&mut edge);
        TestApp::spawn_with(storage, data_dir, edge).await
    }

    pub async fn spawn_with(
        storage: StorageSettings,
        data_dir: TempDir,
        edge: EdgeSettings,
    ) -> TestApp {
        let mut serve = ServeSettings::new("127.0.0.1:0".parse().unwrap());
        serve.edge = edge;
        let app = Application::build(&storage, &serve)
            .await
            .expect("the application failed to start");
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        let handle = app.handle();
        let running = tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            handle,
            running,
            client: reqwest::Client::new(),
            db,
            storage,
            data_dir,
        }
    }

    /// Stops the server, releasing its search index, and hands back its storage.
    pub async fn stop(self) -> (StorageSettings, TempDir) {
        self.handle.stop(true).await;
        self.running.await.ok();
        self.db.close().await.ok();
        (self.storage, self.data_dir)
    }

    /// POSTs a GraphQL query and returns the whole JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.send(
            self.client.post(format!("{}/graphql", self.address)),
            query,
            variables,
        )
        .await
    }

    async fn send(&self, request: reqwest::RequestBuilder, query: &str, variables: Value) -> Value {
        request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("the server does not answer")
            .json()
            .await
            .expect("the response is not JSON")
    }

    /// Creates an API token with `role` and returns it.
    pub async fn token(&self, name: &str, role: policy_kb::auth::Role) -> String {
        policy_kb::auth::create(&self.db, name, role)
            .await
            .expect("cannot create a token")
            .expose_secret()
            .to_string()
    }

    /// POSTs a query with `Authorization: Bearer <token>` and returns the whole JSON response.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let request = self
            .client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token);
        self.send(request, query, variables).await
    }

    /// Like `graphql_as`, for a request that must succeed: its `data`.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self.graphql_as(token, query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// The slugs and English titles of every search hit for `query` (at most 100).
    pub async fn search_titles(&self, query: &str) -> Vec<(String, String)> {
        let data = self
            .data(
                "query($q: String!) { search(query: $q, first: 100) { hits { slug title { en } } } }",
                json!({ "q": query }),
            )
            .await;
        data["search"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| {
                (
                    hit["slug"].as_str().unwrap().to_string(),
                    hit["title"]["en"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// Polls search until `done` holds for the hits of `query`, for at most `within`; returns
    /// whether it did. The bound is the product's promise (edits searchable within a second).
    pub async fn search_until(
        &self,
        query: &str,
        within: std::time::Duration,
        done: impl Fn(&[(String, String)]) -> bool,
    ) -> bool {
        let deadline = std::time::Instant::now() + within;
        loop {
            if done(&self.search_titles(query).await) {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// POSTs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// POSTs raw bytes with the given headers, for the protocol's edge cases.
    pub async fn post_raw(
        &self,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.client.post(format!("{}/graphql", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .body(body)
            .send()
            .await
            .expect("the server does not answer")
    }

    /// Answers a trivial query normally: what every abuse must leave intact.
    pub async fn still_serves(&self) {
        let data = self.data("{ strategies { slug } }", json!({})).await;
        assert_eq!(
            data["strategies"][0]["slug"], "education",
            "the server stopped serving"
        );
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }
}

/// The codes of a response's errors.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The SHA-256 of a document in hex, as persisted queries name it.
pub fn sha256(document: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(document.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Slugs of a list of objects that have a `slug`.
pub fn slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("not a list")
        .iter()
        .map(|item| item["slug"].as_str().expect("no slug").to_string())
        .collect()
}

/// Declares `async fn name(backend: Backend)` tests that run on SQLite and, when configured,
/// on PostgreSQL.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn postgres() {
                match $crate::helpers::Backend::postgres() {
                    Some(backend) => super::$name(backend).await,
                    None => {
                        // CI sets KB_REQUIRE_POSTGRES: there a missing database fails the test
                        // rather than letting half the suite pass without running.
                        assert!(
                            std::env::var("KB_REQUIRE_POSTGRES").is_err(),
                            "KB_REQUIRE_POSTGRES is set but KB_TEST_DATABASE_URL is not"
                        );
                        eprintln!("skipped: set KB_TEST_DATABASE_URL to run this test on PostgreSQL")
                    }
                }
            }
        }
    )*};
}

/// The server as a child process of its own (to kill it outright, or to read its log), with
/// JSON logs on stderr.
pub struct ServerProcess {
    child: std::process::Child,
    pub address: String,
    /// Every log line after the one that announced the address.
    pub log: std::sync::mpsc::Receiver<String>,
}

impl ServerProcess {
    pub fn start(env: &[(&str, String)]) -> ServerProcess {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_policy-kb"))
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("KB_BIND", "127.0.0.1:0")
            .env("KB_LOG_FORMAT", "json")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("cannot start policy-kb");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        let address = loop {
            let Some(line) = lines.next() else {
                panic!(
                    "the server exited before listening; it said:\n{}",
                    seen.join("\n")
                );
            };
            let line = line.expect("unreadable log");
            seen.push(line.clone());
            if let Some(start) = line.find("http://127.0.0.1:") {
                let port: String = line[start + 17..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                break format!("http://127.0.0.1:{port}");
            }
        };
        // Keep reading the log, or the server blocks on a full pipe.
        let (sender, log) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        ServerProcess {
            child,
            address,
            log,
        }
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL failed");
        self.child.wait().ok();
    }
}
