//! Opening the database (SQLite or PostgreSQL through the same code) and migrating it.

use std::time::Duration;

use anyhow::Context;
use entities::kb_meta;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, TransactionTrait,
};

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
        // A database that cannot give a connection in this time is unavailable: requests then
        // fail fast with the retryable `UNAVAILABLE` rather than hang.
        .acquire_timeout(Duration::from_secs(5))
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

/// The key of the PostgreSQL advisory lock every edit holds until it commits.
const EDIT_LOCK_KEY: i64 = 0x706f_6c69_6379_6b62; // "policykb"

/// Begins a transaction that holds the database's write lock from its first statement.
///
/// SQLite: the first statement is a write, which is what `BEGIN IMMEDIATE` does (sea-orm 1.1
/// can only issue a plain `BEGIN`): the lock is taken before anything is read, so a busy
/// database makes the writer wait (busy timeout) instead of failing with SQLITE_BUSY when a
/// reading transaction would have to upgrade. PostgreSQL: an advisory lock serializes edits, so
/// change-log positions are assigned in commit order and an indexer that has read position N
/// can never later see a smaller position commit.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            // A write that changes nothing: `UPDATE kb_meta SET value = value WHERE key = ..`.
            kb_meta::Entity::update_many()
                .col_expr(
                    kb_meta::Column::Value,
                    Expr::col(kb_meta::Column::Value).into(),
                )
                .filter(kb_meta::Column::Key.eq("write-lock"))
                .exec(&txn)
                .await?;
        }
        DatabaseBackend::Postgres => {
            let lock = Query::select()
                .expr(Func::cust(Alias::new("pg_advisory_xact_lock")).arg(EDIT_LOCK_KEY))
                .to_owned();
            txn.execute(db.get_database_backend().build(&lock)).await?;
        }
        DatabaseBackend::MySql => {}
    }
    Ok(txn)
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
