//! Opening the database (SQLite or PostgreSQL through the same code) and migrating it.

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::settings::StorageSettings;

/// How long a SQLite writer waits for the lock before giving up with SQLITE_BUSY.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to the configured database, creating the data dir (and the SQLite file) if missing.
pub async fn connect(storage: &StorageSettings) -> anyhow::Result<DatabaseConnection> {
    std::fs::create_dir_all(&storage.data_dir)
        .with_context(|| format!("cannot create the data dir {}", storage.data_dir.display()))?;
    let url = storage.database_url();
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(16)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // WAL lets readers proceed while one writer commits; NORMAL sync is safe under WAL.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to the database at {}", redact(&url)))
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("migrating the database failed")
}

/// Hides the password of a database URL so that it can be logged.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://kb:secret@db:5432/kb"),
            "postgres://kb:***@db:5432/kb"
        );
        assert_eq!(redact("postgres://kb@db/kb"), "postgres://kb@db/kb");
        assert_eq!(
            redact("sqlite://./data/kb.sqlite?mode=rwc"),
            "sqlite://./data/kb.sqlite?mode=rwc"
        );
    }
}
