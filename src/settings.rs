//! Typed settings of the service, read from flags and their environment equivalents.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

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
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
}

impl StorageSettings {
    pub fn new(data_dir: impl Into<PathBuf>, database_url: Option<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url,
        }
    }

    /// The database URL in force: the explicit one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => sqlite_url(&self.data_dir.join("policy-kb.sqlite")),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_is_the_default_database_under_the_data_dir() {
        let settings = StorageSettings::new("/tmp/kb", None);
        assert_eq!(
            settings.database_url(),
            "sqlite:///tmp/kb/policy-kb.sqlite?mode=rwc"
        );
    }

    #[test]
    fn an_explicit_database_url_wins() {
        let settings = StorageSettings::new("/tmp/kb", Some("postgres://db/kb".into()));
        assert_eq!(settings.database_url(), "postgres://db/kb");
    }
}
