//! Search as the rest of the service sees it: keeping the index current with the database and
//! running queries off the async worker threads.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use std::sync::atomic::{AtomicU8, Ordering};

use arc_swap::ArcSwap;
use jieba_rs::Jieba;
use sea_orm::DatabaseConnection;
use tokio::sync::{Mutex, Notify};

use super::documents::{self, AllDocuments};
use super::engine::{guarded, SearchEngine, SearchError, SearchRequest, SearchResults};
use super::schema::SCHEMA_VERSION;
use super::tokenizer;
use crate::changes;
use crate::error::{AppError, AppResult};
use crate::graph::GraphCache;

/// How many built documents wait for the index at most during a rebuild.
const REBUILD_QUEUE: usize = 1024;

/// How many change-log entries one index commit applies at most.
const CATCH_UP_BATCH: u64 = 500;

/// How often the indexer looks at the change log when nothing woke it: the bound on how late
/// an edit made through another process (another replica, the CLI) reaches this index.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Clone)]
pub struct Search {
    /// The engine in use; replaced whole when its index is found damaged.
    engine: Arc<ArcSwap<SearchEngine>>,
    /// One catch-up or rebuild at a time, so commits carry increasing positions.
    applying: Arc<Mutex<()>>,
    wake: Arc<Notify>,
    health: Arc<AtomicU8>,
    /// jieba with the domain dictionary, shared by every engine this process opens.
    jieba: Arc<Jieba>,
    /// The knowledge graph documents are built from, shared with recommendations.
    graphs: Arc<GraphCache>,
}

/// What this process knows of its index's files (`Search::health`).
///
/// - `SOUND`: nothing failed.
/// - `SUSPECT`: a read or write failed or panicked. That may be a bug that one query triggers
///   as well as damage, so the failure alone must not throw the index away (a query could
///   then make the server rebuild at will): the indexer checks the files, at most once per
///   `VERIFY_INTERVAL`.
/// - `DAMAGED`: the check found a file missing or garbled. Until the indexer has replaced the
///   index with one rebuilt from the database, searches answer `UNAVAILABLE` and `/ready`
///   says not ready.
const SOUND: u8 = 0;
const SUSPECT: u8 = 1;
const DAMAGED: u8 = 2;

/// How often a suspect index is checked at most: the check reads every file of the index.
const VERIFY_INTERVAL: Duration = Duration::from_secs(10);

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
        let jieba = tokenizer::jieba();
        let engine = SearchEngine::open(&data_dir.join("index"), jieba.clone())?;
        Ok(Search {
            engine: Arc::new(ArcSwap::from_pointee(engine)),
            applying: Arc::new(Mutex::new(())),
            wake: Arc::new(Notify::new()),
            health: Arc::new(AtomicU8::new(SOUND)),
            jieba,
            graphs: Arc::default(),
        })
    }

    fn engine(&self) -> Arc<SearchEngine> {
        self.engine.load_full()
    }

    /// The knowledge graph as of the change log's last position (one read per state of the
    /// database, shared by the indexer and recommendations).
    pub fn graphs(&self) -> &GraphCache {
        &self.graphs
    }

    /// jieba with the domain dictionary, as the index's tokenizers use it.
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// Whether searches can be served: the index is not known to be damaged.
    pub fn is_ready(&self) -> bool {
        self.health.load(Ordering::Acquire) != DAMAGED
    }

    /// Runs `work` on the current engine on the blocking pool (searching and indexing are
    /// CPU-bound). A failure of the index (an error or a panic inside tantivy) makes it suspect
    /// and wakes the indexer to check it; the caller gets an error, never a panic.
    async fn on_engine<T: Send + 'static>(
        &self,
        work: impl FnOnce(&SearchEngine) -> Result<T, SearchError> + Send + 'static,
    ) -> AppResult<T> {
        let engine = self.engine();
        let outcome = tokio::task::spawn_blocking(move || guarded(|| work(&engine)))
            .await
            .map_err(AppError::internal)?;
        outcome.map_err(|err| {
            if err.is_damage() {
                tracing::error!(error = %err, "the search index failed; its files will be checked");
                let _ = self.health.compare_exchange(
                    SOUND,
                    SUSPECT,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
                self.wake();
            }
            AppError::internal(err)
        })
    }

    /// Checks the files of a suspect index; returns whether they are damaged (and marks the
    /// index so, for the indexer to rebuild it).
    async fn verify(&self) -> bool {
        let engine = self.engine();
        let damage = tokio::task::spawn_blocking(move || engine.damage())
            .await
            .unwrap_or_else(|err| Some(err.to_string()));
        match damage {
            Some(damage) => {
                tracing::error!(
                    damage,
                    "the search index is damaged; it is rebuilt from the database"
                );
                self.health.store(DAMAGED, Ordering::Release);
                true
            }
            None => {
                tracing::warn!("the search index's files are sound; the failure was not damage");
                let _ = self.health.compare_exchange(
                    SUSPECT,
                    SOUND,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
                false
            }
        }
    }

    /// Replaces a damaged index with one rebuilt from the database.
    async fn heal(&self, db: &DatabaseConnection) -> AppResult<usize> {
        let _applying = self.applying.lock().await;
        let engine = self.engine();
        let fresh = tokio::task::spawn_blocking(move || engine.replacement())
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        self.engine.store(Arc::new(fresh));
        let documents = self.rebuild_locked(db, |_| (), |_| ()).await?;
        self.health.store(SOUND, Ordering::Release);
        tracing::info!(
            documents,
            "rebuilt the damaged search index from the database"
        );
        Ok(documents)
    }

    /// Builds the index when it has never been built (or was of another schema version), else
    /// applies every change logged since its last commit.
    pub async fn ensure_current(&self, db: &DatabaseConnection) -> AppResult<Freshness> {
        if self
            .engine()
            .state()
            .is_none_or(|state| state.schema_version != SCHEMA_VERSION)
        {
            let documents = self.rebuild(db, |_| (), |_| ()).await?;
            return Ok(Freshness::Rebuilt { documents });
        }
        let mut changes = 0;
        loop {
            let applied = match self.catch_up(db).await {
                Err(err) => {
                    if !self.verify().await {
                        return Err(err);
                    }
                    let documents = self.heal(db).await?;
                    return Ok(Freshness::Rebuilt { documents });
                }
                Ok(applied) => applied,
            };
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

    /// `rebuild`, for `policy-kb reindex`: when the index cannot even be written, it is set
    /// aside and built anew, so reindexing always works.
    pub async fn reindex(
        &self,
        db: &DatabaseConnection,
        total: impl FnOnce(u64),
        tick: impl Fn(u64) + Send + 'static,
    ) -> AppResult<usize> {
        match self.rebuild(db, total, tick).await {
            Err(err) => match self.verify().await {
                true => self.heal(db).await,
                false => Err(err),
            },
            rebuilt => rebuilt,
        }
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
        let snapshot = self.graphs.current(db).await?;
        let documents = AllDocuments::load(db, snapshot.graph).await?;
        let count = documents.len();
        total(count as u64);
        self.on_engine(move |engine| {
            // Documents are built on a thread of their own while the index takes the last ones:
            // none waits for all of them to be built, and both cores work.
            let (send, receive) = std::sync::mpsc::sync_channel(REBUILD_QUEUE);
            std::thread::scope(|scope| {
                // It stops when the rebuild stops taking (an error drops `receive`).
                scope.spawn(move || documents.each(|doc| send.send(doc).map_err(drop)));
                engine.rebuild(receive, position, &mut |n| tick(n))
            })
        })
        .await?;
        Ok(count)
    }

    /// Applies the next batch of the change log to the index, in one commit that records the
    /// last position applied. Each changed record's document, and every document built from it,
    /// is deleted and added again from the database as it is now, so applying a change twice
    /// (after a crash between commit and bookkeeping, or when two changes touch one document)
    /// gives the same index. Returns how many changes were applied.
    pub async fn catch_up(&self, db: &DatabaseConnection) -> AppResult<usize> {
        let _applying = self.applying.lock().await;
        let from = self.engine().state().map_or(0, |state| state.position);
        let batch = changes::after(db, from, CATCH_UP_BATCH).await?;
        let Some(last) = batch.last().map(|change| change.position) else {
            return Ok(0);
        };
        // The changed records' own documents, and the dependency keys whose documents follow:
        // a `related` change (another record now links to this one, or no longer does) leaves
        // the record's own fields as they were, so only documents that list its referrers
        // follow it; an `amend` changed only what the record's own document reads.
        let mut changed = BTreeSet::new();
        let mut read = BTreeSet::new();
        for change in &batch {
            let Some((kind, id)) = change.record else {
                self.rebuild_locked(db, |_| (), |_| ()).await?;
                return Ok(batch.len());
            };
            changed.insert(documents::key(kind, id));
            read.insert(documents::referrers_key(kind, id));
            if !matches!(
                change.operation,
                changes::Operation::Related | changes::Operation::Amend
            ) {
                read.insert(documents::key(kind, id));
            }
        }
        let affected = self
            .on_engine(move |engine| {
                engine.dependents(&read).map(|mut affected| {
                    affected.extend(changed);
                    affected
                })
            })
            .await?;
        let snapshot = self.graphs.current(db).await?;
        let docs = documents::for_keys(db, &snapshot.graph, &affected).await?;
        self.on_engine(move |engine| engine.replace(&affected, &docs, last))
            .await?;
        Ok(batch.len())
    }

    /// Tells the indexer that a change was just logged.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Keeps the index in step with the change log until the task is dropped: woken by `wake`
    /// (this process's edits, and PostgreSQL's notifications through `changes::listen`), and
    /// every `POLL_INTERVAL` anyway.
    pub async fn follow(self, db: DatabaseConnection) {
        let mut verified: Option<std::time::Instant> = None;
        loop {
            if self.health.load(Ordering::Acquire) == SUSPECT
                && verified.is_none_or(|at| at.elapsed() >= VERIFY_INTERVAL)
            {
                verified = Some(std::time::Instant::now());
                self.verify().await;
            }
            if !self.is_ready() {
                if let Err(err) = self.heal(&db).await {
                    tracing::error!(error = ?err, "rebuilding the damaged search index failed; retrying");
                }
            }
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
        if !self.is_ready() {
            return Err(AppError::Unavailable {
                message: "search is being rebuilt; retry in a few seconds".into(),
                cause: anyhow::anyhow!("the search index is damaged and being rebuilt"),
            });
        }
        self.on_engine(move |engine| engine.search(&request)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failure_makes_the_index_suspect_and_only_a_check_makes_it_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let search = Search::open(dir.path()).unwrap();
        let document = documents::SearchDocument::sample();
        search
            .on_engine(move |engine| engine.rebuild([document], 1, &mut |_| ()))
            .await
            .unwrap();

        // A failure, whatever its cause, is not yet damage: one query must not be able to make
        // the server throw its index away.
        let failed = search
            .on_engine(|_| Err::<(), _>(SearchError::Damaged("a query's bug".into())))
            .await;
        assert_eq!(
            failed.unwrap_err().code(),
            crate::error::ErrorCode::Internal
        );
        assert_eq!(search.health.load(Ordering::Acquire), SUSPECT);
        assert!(search.is_ready());
        assert!(!search.verify().await, "the files are sound");
        assert_eq!(search.health.load(Ordering::Acquire), SOUND);

        let positions = std::fs::read_dir(dir.path().join("index"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "pos"))
            .unwrap();
        std::fs::remove_file(positions).unwrap();
        assert!(search.verify().await, "a missing file is damage");
        assert!(!search.is_ready());
        let refused = search
            .search(SearchRequest {
                query: super::super::query::UserQuery::parse("养鸡").unwrap(),
                kinds: Vec::new(),
                facets: Default::default(),
                limit: 10,
                offset: 0,
                without_facets: true,
                without_highlights: true,
                scope: Default::default(),
            })
            .await
            .unwrap_err();
        assert_eq!(refused.code(), crate::error::ErrorCode::Unavailable);
    }
}
