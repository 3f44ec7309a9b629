//! Opening the database (SQLite or PostgreSQL through the same code) and migrating it.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context;
use entities::kb_meta;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, ExecResult, QueryFilter, QueryResult, Statement,
    TransactionTrait,
};
use secrecy::ExposeSecret;

use crate::settings::StorageSettings;

/// How long a SQLite writer waits for the lock before giving up with SQLITE_BUSY.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to the configured database, creating the data dir (and the SQLite file) if missing.
pub async fn connect(storage: &StorageSettings) -> anyhow::Result<DatabaseConnection> {
    std::fs::create_dir_all(&storage.data_dir)
        .with_context(|| format!("cannot create the data dir {}", storage.data_dir.display()))?;
    let url = storage.database_url();
    let mut options = ConnectOptions::new(url.expose_secret());
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
    Database::connect(options).await.with_context(|| {
        format!(
            "cannot connect to the database at {}",
            redact(url.expose_secret())
        )
    })
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("migrating the database failed")
}

/// The key of the PostgreSQL advisory lock every edit holds until it commits.
const EDIT_LOCK_KEY: i64 = 0x706f_6c69_6379_6b62; // "policykb"

/// A transaction that holds the database's write lock. Only `begin_write` makes one, and every
/// function that writes knowledge rows (`kb::load`, `kb::write_record`, `changes::record`...)
/// takes one: a write outside `begin_write` does not compile. It is a connection like any other
/// for reads inside the edit.
pub struct WriteTxn(DatabaseTransaction);

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.0.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.0.rollback().await
    }
}

/// A boxed future of `ConnectionTrait` (an `async_trait`): what each method below forwards.
type Forwarded<'a, T> = Pin<Box<dyn Future<Output = Result<T, DbErr>> + Send + 'a>>;

impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.0.get_database_backend()
    }

    fn execute<'a, 'f>(&'a self, stmt: Statement) -> Forwarded<'f, ExecResult>
    where
        'a: 'f,
        Self: 'f,
    {
        self.0.execute(stmt)
    }

    fn execute_unprepared<'a, 'b, 'f>(&'a self, sql: &'b str) -> Forwarded<'f, ExecResult>
    where
        'a: 'f,
        'b: 'f,
        Self: 'f,
    {
        self.0.execute_unprepared(sql)
    }

    fn query_one<'a, 'f>(&'a self, stmt: Statement) -> Forwarded<'f, Option<QueryResult>>
    where
        'a: 'f,
        Self: 'f,
    {
        self.0.query_one(stmt)
    }

    fn query_all<'a, 'f>(&'a self, stmt: Statement) -> Forwarded<'f, Vec<QueryResult>>
    where
        'a: 'f,
        Self: 'f,
    {
        self.0.query_all(stmt)
    }

    fn support_returning(&self) -> bool {
        self.0.support_returning()
    }
}

/// Begins a transaction that holds the database's write lock from its first statement.
///
/// SQLite: the first statement is a write, which is what `BEGIN IMMEDIATE` does (sea-orm 1.1
/// can only issue a plain `BEGIN`): the lock is taken before anything is read, so a busy
/// database makes the writer wait (busy timeout) instead of failing with SQLITE_BUSY when a
/// reading transaction would have to upgrade. PostgreSQL: an advisory lock serializes edits, so
/// change-log positions are assigned in commit order and an indexer that has read position N
/// can never later see a smaller position commit.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
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
    Ok(WriteTxn(txn))
}

/// Hides the password of a database URL so that it can be logged (the `url` crate reads it:
/// userinfo, percent-encoding, IPv6 hosts). A URL without a password is returned as given; one
/// that does not parse is not shown at all when it might hold credentials.
pub fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => match url.set_password(Some("***")) {
            Ok(()) => url.to_string(),
            Err(()) => "<a database URL with credentials>".to_string(),
        },
        Ok(_) => raw.to_string(),
        Err(_) if raw.contains('@') => "<a database URL with credentials>".to_string(),
        Err(_) => raw.to_string(),
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
            redact("postgres://kb:p%40ss@[::1]:5432/kb?sslmode=disable"),
            "postgres://kb:***@[::1]:5432/kb?sslmode=disable"
        );
        assert_eq!(
            redact("postgres://kb:se@cret@db/kb"),
            "postgres://kb:***@db/kb"
        );
        assert_eq!(
            redact("sqlite://./data/kb.sqlite?mode=rwc"),
            "sqlite://./data/kb.sqlite?mode=rwc"
        );
    }
}
