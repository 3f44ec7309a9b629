//! Typed settings of the service, read from flags and their environment equivalents.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use secrecy::SecretString;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where state lives; shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct StorageSettings {
    /// Directory for all local state: the SQLite database and the search index.
    #[arg(long, env = "KB_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL; defaults to SQLite under the data dir. A postgres:// URL switches to PostgreSQL.
    /// A secret (it may hold a password): `Debug` shows it redacted, `db::redact` for logs.
    #[arg(long, env = "DATABASE_URL", global = true, value_parser = secret, hide_env_values = true)]
    pub database_url: Option<SecretString>,
}

fn secret(raw: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(raw))
}

impl StorageSettings {
    pub fn new(data_dir: impl Into<PathBuf>, database_url: Option<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: database_url.map(SecretString::from),
        }
    }

    /// The database URL in force: the explicit one, or the embedded SQLite file.
    pub fn database_url(&self) -> SecretString {
        match &self.database_url {
            Some(url) => url.clone(),
            None => sqlite_url(&self.data_dir.join("policy-kb.sqlite")).into(),
        }
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

#[derive(Clone, Debug, Args)]
pub struct ServeSettings {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "KB_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    #[command(flatten)]
    pub edge: EdgeSettings,
}

impl ServeSettings {
    /// Listening on `bind` with every other setting at its default.
    pub fn new(bind: SocketAddr) -> ServeSettings {
        ServeSettings {
            bind,
            edge: EdgeSettings::default(),
        }
    }
}

/// What the HTTP and GraphQL edge accepts: limits, CORS, rate limiting. The defaults suit
/// local development; `docs/operations.md` gives the production settings.
#[derive(Clone, Debug, Args)]
pub struct EdgeSettings {
    /// Largest request body, in bytes; a larger one is refused (413) before it is read further.
    #[arg(long, env = "KB_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "KB_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,

    /// Highest query cost: each field costs 1, list fields times the page size they ask for.
    #[arg(long, env = "KB_MAX_COMPLEXITY", default_value_t = 20_000)]
    pub max_complexity: usize,

    /// Deepest nesting of braces, brackets and parentheses in a document or its variables
    /// (selections, input lists and objects), checked before parsing.
    #[arg(long, env = "KB_MAX_NESTING", default_value_t = 32)]
    pub max_nesting: usize,

    /// Most directives on one location (a field, fragment, spread, operation or variable).
    #[arg(long, env = "KB_MAX_DIRECTIVES", default_value_t = 4)]
    pub max_directives: usize,

    /// Most directives in one document, on all locations together.
    #[arg(long, env = "KB_MAX_DOCUMENT_DIRECTIVES", default_value_t = 50)]
    pub max_document_directives: usize,

    /// Most field selections in one document once every fragment spread is expanded: bounds
    /// the work of validation before it starts (a 1 KB document of fragments that each spread
    /// the next twice expands to millions of fields).
    #[arg(long, env = "KB_MAX_FIELDS", default_value_t = 2_000)]
    pub max_fields: usize,

    /// Largest GraphQL response body, in bytes; a larger one is replaced by an error.
    #[arg(long, env = "KB_MAX_RESPONSE_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_response_bytes: usize,

    /// Most aliases in one document.
    #[arg(long, env = "KB_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Most root fields in one operation.
    #[arg(long, env = "KB_MAX_ROOT_FIELDS", default_value_t = 20)]
    pub max_root_fields: usize,

    /// Longest a request may take from the moment its body is read (parsing, validation and
    /// execution), in milliseconds.
    #[arg(long, env = "KB_TIMEOUT_MS", default_value_t = 10_000)]
    pub timeout_ms: u64,

    /// Answer introspection queries (GraphiQL needs them); `false` in production if the schema
    /// should not be browsable.
    #[arg(long, env = "KB_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,

    /// Suggest field names in validation errors ("did you mean ...").
    #[arg(long, env = "KB_FIELD_SUGGESTIONS", default_value_t = true, action = clap::ArgAction::Set)]
    pub field_suggestions: bool,

    /// Origins allowed to call the API from a browser (comma-separated, e.g.
    /// `https://app.example.org`); none by default, so only same-origin pages can.
    #[arg(long, env = "KB_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Requests per second allowed per client IP (token bucket); 0 turns rate limiting off.
    #[arg(long, env = "KB_RATE_LIMIT", default_value_t = 0)]
    pub rate_limit: u32,

    /// How many requests a client may send at once before the rate applies.
    #[arg(long, env = "KB_RATE_LIMIT_BURST", default_value_t = 50)]
    pub rate_limit_burst: u32,

    /// Bytes of documents kept for automatic persisted queries (least recently used go first).
    #[arg(long, env = "KB_PERSISTED_QUERY_CACHE_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub persisted_query_cache_bytes: usize,

    /// A JSON file mapping SHA-256 hashes to documents: when given, only these documents run
    /// (by hash or in full), and automatic persisted queries are off.
    #[arg(long, env = "KB_TRUSTED_DOCUMENTS", value_name = "FILE")]
    pub trusted_documents: Option<PathBuf>,

    /// Most WebSocket connections (subscriptions) open at once from one client IP; one more
    /// is refused with 429.
    #[arg(long, env = "KB_WS_MAX_CONNECTIONS_PER_CLIENT", default_value_t = 16)]
    pub ws_max_connections_per_client: usize,

    /// Most operations running at once on one WebSocket connection; one more gets an `error`
    /// message (`RATE_LIMITED`) and the others go on.
    #[arg(long, env = "KB_WS_MAX_SUBSCRIPTIONS", default_value_t = 32)]
    pub ws_max_subscriptions: usize,

    /// How long a WebSocket connection may wait before its `connection_init`, in milliseconds;
    /// then it is closed with 4408, as the protocol says.
    #[arg(long, env = "KB_WS_INIT_TIMEOUT_MS", default_value_t = 3_000)]
    pub ws_init_timeout_ms: u64,

    /// How long a WebSocket connection may stay open with no subscription running and no
    /// message from the client, in seconds; then it is closed with 1000.
    #[arg(long, env = "KB_WS_IDLE_TIMEOUT_SECS", default_value_t = 300)]
    pub ws_idle_timeout_secs: u64,

    /// Changes a subscriber may fall behind the change feed; past that its connection is
    /// closed with 1013 (try again later) instead of buffering more. Also the feed's capacity.
    #[arg(long, env = "KB_WS_MAX_LAG", default_value_t = 1024)]
    pub ws_max_lag: usize,

    /// Take the client IP from `X-Forwarded-For`/`Forwarded` (only behind a proxy you run).
    #[arg(long, env = "KB_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,
}

impl Default for EdgeSettings {
    fn default() -> EdgeSettings {
        // The same defaults as the flags: parse an empty command line.
        #[derive(clap::Parser)]
        struct Defaults {
            #[command(flatten)]
            edge: EdgeSettings,
        }
        <Defaults as clap::Parser>::parse_from(["policy-kb"]).edge
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use secrecy::ExposeSecret;

    #[test]
    fn sqlite_is_the_default_database_under_the_data_dir() {
        let settings = StorageSettings::new("/tmp/kb", None);
        assert_eq!(
            settings.database_url().expose_secret(),
            "sqlite:///tmp/kb/policy-kb.sqlite?mode=rwc"
        );
    }

    #[test]
    fn an_explicit_database_url_wins() {
        let settings = StorageSettings::new("/tmp/kb", Some("postgres://db/kb".into()));
        assert_eq!(settings.database_url().expose_secret(), "postgres://db/kb");
    }

    #[test]
    fn debug_never_prints_the_database_url() {
        let settings = StorageSettings::new("/tmp/kb", Some("postgres://kb:hunter2@db/kb".into()));
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("REDACTED"), "{printed}");
    }
}
