//! Search as the rest of the service sees it: keeping the index current with the database and
//! running queries off the async worker threads.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{Mutex, Notify};

use super::documents::{self, from_database};
use super::engine::{SearchEngine, SearchRequest, SearchResults};
use super::schema::SCHEMA_VERSION;
use super::tokenizer;
use crate::changes;
use crate::error::{AppError, AppResult};

/// How many change-log entries one index commit applies at most.
const CATCH_UP_BATCH: u64 = 500;

/// How often the indexer looks at the change log when nothing woke it: the bound on how late
/// an edit made through another process (another replica, the CLI) reaches this index.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Clone)]
pub struct Search {
    engine: Arc<SearchEngine>,
    /// One catch-up or rebuild at a time, so commits carry increasing positions.
    applying: Arc<Mutex<()>>,
    wake: Arc<Notify>,
}

/// What `ensure_current` had to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    Current,
    CaughtUp { changes: usize },
    Rebuilt { documents: usize },
}

impl Search {
    /// Opens the index under `data_dir/index`, loading jieba and its domain dictionary now rather
    /// than on the first query.
    pub fn open(data_dir: &Path) -> anyhow::Result<Search> {
        let engine = SearchEngine::open(&data_dir.join("index"), tokenizer::jieba())?;
        Ok(Search {
            engine: Arc::new(engine),
            applying: Arc::new(Mutex::new(())),
            wake: Arc::new(Notify::new()),
        })
    }

    pub fn engine(&self) -> &SearchEngine {
        &self.engine
    }

    /// Builds the index when it has never been built (or was of another schema version), else
    /// applies every change logged since its last commit.
    pub async fn ensure_current(&self, db: &DatabaseConnection) -> AppResult<Freshness> {
        if self
            .engine
            .state()
            .is_none_or(|state| state.schema_version != SCHEMA_VERSION)
        {
            let documents = self.rebuild(db, |_| (), |_| ()).await?;
            return Ok(Freshness::Rebuilt { documents });
        }
        let mut changes = 0;
        loop {
            let applied = self.catch_up(db).await?;
            changes += applied;
            if applied < CATCH_UP_BATCH as usize {
                break;
            }
        }
        Ok(if changes == 0 {
            Freshness::Current
        } else {
            Freshness::CaughtUp { changes }
        })
    }

    /// Rebuilds the index from the database, whatever its state. `total` hears how many
    /// documents there are to index, then `tick` of each one indexed. Returns the count.
    pub async fn rebuild(
        &self,
        db: &DatabaseConnection,
        total: impl FnOnce(u64),
        tick: impl Fn(u64) + Send + 'static,
    ) -> AppResult<usize> {
        let _applying = self.applying.lock().await;
        self.rebuild_locked(db, total, tick).await
    }

    async fn rebuild_locked(
        &self,
        db: &DatabaseConnection,
        total: impl FnOnce(u64),
        tick: impl Fn(u64) + Send + 'static,
    ) -> AppResult<usize> {
        // The position is read before the records: a change committed in between is applied
        // again by the next catch-up, which is harmless (applying is idempotent).
        let position = changes::last_position(db).await?;
        let documents = from_database(db).await?;
        let count = documents.len();
        total(count as u64);
        let engine = self.engine.clone();
        // Indexing is CPU-bound: keep it off the async worker threads.
        tokio::task::spawn_blocking(move || engine.rebuild(&documents, position, &mut |n| tick(n)))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok(count)
    }

    /// Applies the next batch of the change log to the index, in one commit that records the
    /// last position applied. Each changed record's document, and every document built from it,
    /// is deleted and added again from the database as it is now, so applying a change twice
    /// (after a crash between commit and bookkeeping, or when two changes touch one document)
    /// gives the same index. Returns how many changes were applied.
    pub async fn catch_up(&self, db: &DatabaseConnection) -> AppResult<usize> {
        let _applying = self.applying.lock().await;
        let from = self.engine.state().map_or(0, |state| state.position);
        let batch = changes::after(db, from, CATCH_UP_BATCH).await?;
        let Some(last) = batch.last().map(|change| change.position) else {
            return Ok(0);
        };
        let mut changed = BTreeSet::new();
        for change in &batch {
            match change.record {
                Some((kind, id)) => {
                    changed.insert(documents::key(kind, id));
                }
                None => {
                    self.rebuild_locked(db, |_| (), |_| ()).await?;
                    return Ok(batch.len());
                }
            }
        }
        let engine = self.engine.clone();
        let affected = tokio::task::spawn_blocking(move || {
            engine.dependents(&changed).map(|mut affected| {
                affected.extend(changed);
                affected
            })
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
        let docs = documents::for_keys(db, &affected).await?;
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || engine.replace(&affected, &docs, last))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok(batch.len())
    }

    /// Tells the indexer that this process just logged a change.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Keeps the index in step with the change log until the task is dropped: woken by `wake`,
    /// by `notifications` (PostgreSQL's LISTEN, when given), and every `POLL_INTERVAL` anyway.
    pub async fn follow(self, db: DatabaseConnection, notifications: Option<String>) {
        // Stops listening when this task is dropped.
        let _listening =
            notifications.map(|url| AbortOnDrop(tokio::spawn(listen(url, self.wake.clone()))));
        loop {
            match self.catch_up(&db).await {
                Ok(applied) if applied == CATCH_UP_BATCH as usize => continue,
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(error = ?err, "applying the change log to the search index failed; retrying")
                }
            }
            let _ = tokio::time::timeout(POLL_INTERVAL, self.wake.notified()).await;
        }
    }

    pub async fn search(&self, request: SearchRequest) -> AppResult<SearchResults> {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || engine.search(&request))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Wakes the indexer on every notification of the change-log channel, reconnecting after
/// failures. Polling covers whatever is missed meanwhile.
async fn listen(url: String, wake: Arc<Notify>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let listener = async {
            let mut listener = PgListener::connect(&url).await?;
            listener.listen(changes::CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        match listener.await {
            // `recv` re-establishes a lost connection by itself.
            Ok(mut listener) => loop {
                match listener.recv().await {
                    Ok(_) => wake.notify_one(),
                    Err(err) => {
                        tracing::warn!(error = %err, "lost the change-log notifications; polling until they are back");
                        break;
                    }
                }
            },
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for change-log notifications; polling")
            }
        }
        tokio::time::sleep(POLL_INTERVAL * 4).await;
    }
}
