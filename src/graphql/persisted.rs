//! Persisted documents: Automatic Persisted Queries (the `extensions.persistedQuery` protocol of
//! Apollo and urql clients) and, in production, trusted documents (only a registered set runs).
//!
//! A client sends `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "..."}}}`
//! without the query; an unknown hash is `PERSISTED_QUERY_NOT_FOUND` (message
//! `PersistedQueryNotFound`, which the clients look for), and the client sends the query with
//! its hash again, which registers it. The edge resolves the hash to a document before any of
//! its checks, so a persisted document meets exactly the limits of one sent in full.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use lru::LruCache;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash a client names its document by (lowercase hex SHA-256 of the document's text).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentHash(String);

impl DocumentHash {
    pub fn of(document: &str) -> DocumentHash {
        DocumentHash(hex(&Sha256::digest(document.as_bytes())))
    }

    /// Reads `extensions.persistedQuery`; `Ok(None)` when the request has none.
    pub fn from_extensions(extensions: Option<&Value>) -> Result<Option<DocumentHash>, String> {
        let Some(persisted) = extensions.and_then(|e| e.get("persistedQuery")) else {
            return Ok(None);
        };
        if persisted.get("version").and_then(Value::as_i64) != Some(1) {
            return Err("`extensions.persistedQuery.version` must be 1".into());
        }
        persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .filter(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|hash| Some(DocumentHash(hash.to_ascii_lowercase())))
            .ok_or_else(|| {
                "`extensions.persistedQuery.sha256Hash` must be a hex SHA-256 of the query".into()
            })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a request's document could not be found or was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A hash without the query, and no document of that hash is known: send the query too.
    NotFound,
    /// The query's hash is not the hash the request names.
    HashMismatch,
    /// Trusted documents only, and this is not one of them.
    NotTrusted,
    /// Neither a query nor a hash.
    NoQuery,
}

/// The document a request runs, and whether to remember it under its hash once it parses.
#[derive(Debug)]
pub struct Resolved {
    pub query: String,
    pub register: Option<DocumentHash>,
}

/// The documents the server knows by hash.
pub enum Documents {
    /// Any document runs; those sent with their hash are remembered, the most recently used
    /// first, within a byte budget (so the cache's memory is bounded whatever clients send).
    Automatic(Mutex<Cache>),
    /// Only these documents run (`--trusted-documents`), by hash or in full.
    Trusted(HashMap<DocumentHash, Arc<str>>),
}

pub struct Cache {
    entries: LruCache<DocumentHash, Arc<str>>,
    bytes: usize,
    budget: usize,
}

impl Documents {
    /// Automatic persisted queries within `budget` bytes of documents.
    pub fn automatic(budget: usize) -> Documents {
        Documents::Automatic(Mutex::new(Cache {
            entries: LruCache::unbounded(),
            bytes: 0,
            budget,
        }))
    }

    /// The trusted documents of `path`: a JSON object from hash to document (what the Relay
    /// compiler's `persistConfig` and GraphQL Code Generator's persisted documents write). A
    /// hash that is not the document's own is refused at start, naming it.
    pub fn trusted(path: &Path) -> anyhow::Result<Documents> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading trusted documents from {}", path.display()))?;
        let map: HashMap<String, String> = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: trusted documents must be a JSON object from SHA-256 hash to document",
                path.display()
            )
        })?;
        let mut documents = HashMap::with_capacity(map.len());
        for (hash, document) in map {
            let actual = DocumentHash::of(&document);
            if actual.0 != hash.to_ascii_lowercase() {
                anyhow::bail!(
                    "{}: the document under '{hash}' has the SHA-256 hash {}",
                    path.display(),
                    actual.0
                );
            }
            documents.insert(actual, Arc::from(document));
        }
        Ok(Documents::Trusted(documents))
    }

    /// The document a request runs, from its query and/or the hash it names.
    pub fn resolve(
        &self,
        query: Option<String>,
        hash: Option<DocumentHash>,
    ) -> Result<Resolved, Refusal> {
        if let (Some(query), Some(hash)) = (&query, &hash) {
            if DocumentHash::of(query) != *hash {
                return Err(Refusal::HashMismatch);
            }
        }
        match (self, query, hash) {
            (_, None, None) => Err(Refusal::NoQuery),
            (Documents::Automatic(_), Some(query), register) => Ok(Resolved { query, register }),
            (Documents::Automatic(cache), None, Some(hash)) => {
                let mut cache = cache
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                match cache.entries.get(&hash) {
                    Some(document) => Ok(Resolved {
                        query: document.to_string(),
                        register: None,
                    }),
                    None => Err(Refusal::NotFound),
                }
            }
            (Documents::Trusted(documents), query, hash) => {
                let hash = hash.unwrap_or_else(|| DocumentHash::of(query.as_deref().unwrap_or("")));
                match documents.get(&hash) {
                    Some(document) => Ok(Resolved {
                        query: document.to_string(),
                        register: None,
                    }),
                    None if query.is_none() => Err(Refusal::NotFound),
                    None => Err(Refusal::NotTrusted),
                }
            }
        }
    }

    /// Remembers a document that parsed under its hash (automatic persisted queries only).
    pub fn register(&self, hash: DocumentHash, document: &str) {
        let Documents::Automatic(cache) = self else {
            return;
        };
        let mut cache = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let size = cost(&hash, document);
        if size > cache.budget || cache.entries.contains(&hash) {
            return;
        }
        cache.bytes += size;
        cache.entries.put(hash, Arc::from(document));
        while cache.bytes > cache.budget {
            match cache.entries.pop_lru() {
                Some((hash, document)) => cache.bytes -= cost(&hash, &document),
                None => break,
            }
        }
    }
}

/// What one cached document counts against the budget.
fn cost(hash: &DocumentHash, document: &str) -> usize {
    hash.0.len() + document.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const QUERY: &str = "{ strategies { slug } }";

    fn hash_of(query: &str) -> Option<DocumentHash> {
        Some(DocumentHash::of(query))
    }

    #[test]
    fn the_hash_is_the_hex_sha256_of_the_text() {
        assert_eq!(
            DocumentHash::of("").0,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn extensions_are_read_strictly() {
        let hash = DocumentHash::of(QUERY).0;
        let read = |value: Value| DocumentHash::from_extensions(Some(&value));
        assert_eq!(read(json!({})), Ok(None));
        assert_eq!(
            read(json!({"persistedQuery": {"version": 1, "sha256Hash": hash.to_uppercase()}})),
            Ok(hash_of(QUERY))
        );
        for bad in [
            json!({"persistedQuery": {"version": 2, "sha256Hash": hash}}),
            json!({"persistedQuery": {"version": 1, "sha256Hash": "abc"}}),
            json!({"persistedQuery": {"version": 1}}),
            json!({"persistedQuery": true}),
        ] {
            assert!(read(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_unknown_hash_is_not_found_until_the_query_is_sent_with_it() {
        let documents = Documents::automatic(1024);
        assert_eq!(
            documents.resolve(None, hash_of(QUERY)).unwrap_err(),
            Refusal::NotFound
        );
        let resolved = documents
            .resolve(Some(QUERY.into()), hash_of(QUERY))
            .unwrap();
        documents.register(resolved.register.unwrap(), &resolved.query);
        assert_eq!(
            documents.resolve(None, hash_of(QUERY)).unwrap().query,
            QUERY
        );
    }

    #[test]
    fn a_query_with_another_hash_is_refused() {
        let documents = Documents::automatic(1024);
        assert_eq!(
            documents
                .resolve(Some(QUERY.into()), hash_of("{ x }"))
                .unwrap_err(),
            Refusal::HashMismatch
        );
    }

    #[test]
    fn the_cache_keeps_the_most_recently_used_within_its_budget() {
        let docs: Vec<String> = (0..4).map(|n| format!("{{ q{n} }}")).collect();
        let each = cost(&DocumentHash::of(&docs[0]), &docs[0]);
        let documents = Documents::automatic(3 * each);
        for doc in &docs[..3] {
            documents.register(DocumentHash::of(doc), doc);
        }
        // Using the first makes the second the least recently used.
        documents.resolve(None, hash_of(&docs[0])).unwrap();
        documents.register(DocumentHash::of(&docs[3]), &docs[3]);
        assert!(documents.resolve(None, hash_of(&docs[0])).is_ok());
        assert_eq!(
            documents.resolve(None, hash_of(&docs[1])).unwrap_err(),
            Refusal::NotFound
        );
        assert!(documents.resolve(None, hash_of(&docs[3])).is_ok());
        // A document larger than the whole budget is run but never kept.
        let huge = "#".repeat(4 * each);
        documents.register(DocumentHash::of(&huge), &huge);
        assert!(documents.resolve(None, hash_of(&docs[3])).is_ok());
    }

    #[test]
    fn trusted_documents_run_only_the_registered_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trusted.json");
        let hash = DocumentHash::of(QUERY).0;
        std::fs::write(&path, json!({ hash.clone(): QUERY }).to_string()).unwrap();
        let documents = Documents::trusted(&path).unwrap();
        assert_eq!(
            documents.resolve(None, hash_of(QUERY)).unwrap().query,
            QUERY
        );
        assert_eq!(
            documents.resolve(Some(QUERY.into()), None).unwrap().query,
            QUERY
        );
        assert_eq!(
            documents
                .resolve(Some("{ sources { slug } }".into()), None)
                .unwrap_err(),
            Refusal::NotTrusted
        );
        assert_eq!(
            documents.resolve(None, hash_of("{ x }")).unwrap_err(),
            Refusal::NotFound
        );

        std::fs::write(&path, json!({ hash: "{ other }" }).to_string()).unwrap();
        let err = Documents::trusted(&path).err().unwrap().to_string();
        assert!(err.contains("trusted.json"), "{err}");
    }
}
