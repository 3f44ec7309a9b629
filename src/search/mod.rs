//! Full-text search: the only module that knows tantivy. The database is the source of truth;
//! the index under `<data dir>/index` is a cache, rebuilt when it is missing or of another schema
//! version, and otherwise kept in step with the database's change log.

mod documents;
mod engine;
pub mod normalise;
mod query;
mod ranking;
mod schema;
mod service;
pub mod snippet;
pub mod tokenizer;

pub use documents::{from_database, SearchDocument};
pub use engine::{
    FacetField, Highlight, Hit, IndexState, Scope, SearchEngine, SearchError, SearchRequest,
    SearchResults,
};
pub use query::{Part, UserQuery, MAX_QUERY_CHARS};
pub use schema::SCHEMA_VERSION;
pub use service::{Freshness, Search};
