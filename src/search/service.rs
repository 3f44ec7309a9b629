//! Search as the rest of the service sees it: keeping the index current with the database and
//! running queries off the async worker threads.

use std::path::Path;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::documents::from_database;
use super::engine::{IndexState, SearchEngine, SearchRequest, SearchResults};
use super::schema::SCHEMA_VERSION;
use super::tokenizer;
use crate::catalog;
use crate::error::{AppError, AppResult};

#[derive(Clone)]
pub struct Search {
    engine: Arc<SearchEngine>,
}

/// Whether `ensure_current` had to rebuild.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    Current,
    Rebuilt { documents: usize },
}

impl Search {
    /// Opens the index under `data_dir/index`, loading jieba and its domain dictionary now rather
    /// than on the first query.
    pub fn open(data_dir: &Path) -> anyhow::Result<Search> {
        let engine = SearchEngine::open(&data_dir.join("index"), tokenizer::jieba())?;
        Ok(Search {
            engine: Arc::new(engine),
        })
    }

    pub fn engine(&self) -> &SearchEngine {
        &self.engine
    }

    /// Rebuilds the index from the database when it is not at the database's data version.
    pub async fn ensure_current(&self, db: &DatabaseConnection) -> AppResult<Freshness> {
        let version = catalog::data_version(db).await?;
        if self.engine.state()
            == Some(IndexState {
                schema_version: SCHEMA_VERSION,
                data_version: version,
            })
        {
            return Ok(Freshness::Current);
        }
        let documents = self.rebuild(db, |_| (), |_| ()).await?;
        Ok(Freshness::Rebuilt { documents })
    }

    /// Rebuilds the index from the database, whatever its state. `total` hears how many
    /// documents there are to index, then `tick` of each one indexed. Returns the count.
    pub async fn rebuild(
        &self,
        db: &DatabaseConnection,
        total: impl FnOnce(u64),
        tick: impl Fn(u64) + Send + 'static,
    ) -> AppResult<usize> {
        let version = catalog::data_version(db).await?;
        let documents = from_database(db).await?;
        let count = documents.len();
        total(count as u64);
        let engine = self.engine.clone();
        // Indexing is CPU-bound: keep it off the async worker threads.
        tokio::task::spawn_blocking(move || engine.rebuild(&documents, version, &mut |n| tick(n)))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok(count)
    }

    /// The comparison keys of words (the English stem, or the Chinese word itself).
    pub fn word_keys(&self, words: &[&str]) -> Vec<String> {
        words.iter().map(|word| self.word_key(word)).collect()
    }

    pub fn word_key(&self, word: &str) -> String {
        tokenizer::word_key(self.engine.jieba(), word)
    }

    /// The words of `text` whose keys are not among `excluded` (see `word_keys`), joined by
    /// spaces: what is specific about a description.
    pub fn specific_words(&self, text: &str, excluded: &[String]) -> String {
        tokenizer::words_with_keys(self.engine.jieba(), text)
            .into_iter()
            .filter(|(_, key)| !excluded.contains(key))
            .map(|(word, _)| word)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub async fn search(&self, request: SearchRequest) -> AppResult<SearchResults> {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || engine.search(&request))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)
    }
}
