//! The search engine: one index under the data dir, one reader, one long-lived writer (created
//! on first write, so that read-only users such as `policy-kb search` can share the index with a
//! running server), and a fresh searcher per query.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, DocSetCollector, FacetCollector};
use tantivy::index::SegmentComponent;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::documents::SearchDocument;
use super::normalise::name_key;
use super::query::{Part, UserQuery};
use super::ranking::{Bonuses, Boost, Filters, RankedWord, RankedWords, Union};
use super::schema::{character_text, schema, Fields, SCHEMA_VERSION};
use super::snippet::Snippets;
use super::tokenizer::{self, is_chinese_stop_word, is_cjk, query_words};
use crate::domain::{EntryKind, Lang};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A failure inside tantivy, kept as its error (the type stays inside this module).
    #[error("search index error: {0}")]
    Index(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("the search index at {0} is locked by another process (is a server running on this data dir?)")]
    Locked(PathBuf),
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A file of the index is missing or does not match its checksum, or tantivy panicked
    /// reading it.
    #[error("the search index is damaged: {0}")]
    Damaged(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(err: tantivy::TantivyError) -> Self {
        SearchError::Index(Box::new(err))
    }
}

impl SearchError {
    /// Whether the index itself is at fault (as opposed to another process holding it), so
    /// that rebuilding it from the database is the cure.
    pub fn is_damage(&self) -> bool {
        !matches!(self, SearchError::Locked(_))
    }
}

/// Runs `work`, turning a panic inside tantivy (it panics on some garbled files) into
/// `SearchError::Damaged`.
pub fn guarded<T>(work: impl FnOnce() -> Result<T, SearchError>) -> Result<T, SearchError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic while reading it".into());
        Err(SearchError::Damaged(reason))
    })
}

/// What is wrong with the files of `index` (in `dir`, when on disk), if anything: a segment
/// file missing, or one whose checksum does not match (truncated or garbled). Reads every file
/// once: cheap next to the rebuild it can save.
fn damage(index: &Index, dir: Option<&Path>) -> Option<String> {
    let metas = match index.searchable_segment_metas() {
        Ok(metas) => metas,
        Err(err) => return Some(err.to_string()),
    };
    let components = [
        SegmentComponent::Postings,
        SegmentComponent::Positions,
        SegmentComponent::Terms,
        SegmentComponent::Store,
        SegmentComponent::FastFields,
        SegmentComponent::FieldNorms,
    ];
    let missing = dir.and_then(|dir| {
        metas
            .iter()
            .flat_map(|meta| components.iter().map(|c| meta.relative_path(c.clone())))
            .find(|file| !dir.join(file).exists())
    });
    if let Some(file) = missing {
        return Some(format!("{} is missing", file.display()));
    }
    match guarded(|| Ok(index.validate_checksum()?)) {
        Ok(damaged) if damaged.is_empty() => None,
        Ok(damaged) => Some(format!(
            "checksum mismatch in {}",
            damaged
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Err(err) => Some(err.to_string()),
    }
}

/// Moves a damaged index directory to `<dir>.damaged` (replacing an older one there), where it
/// can be looked at, and leaves `dir` absent.
fn set_aside(dir: &Path) -> std::io::Result<()> {
    let mut aside = dir.as_os_str().to_owned();
    aside.push(".damaged");
    let aside = PathBuf::from(aside);
    if aside.exists() {
        std::fs::remove_dir_all(&aside)?;
    }
    if dir.exists() {
        std::fs::rename(dir, &aside)?;
    }
    Ok(())
}

/// What a commit records about the index, so a restart can tell where to catch up from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexState {
    pub schema_version: u32,
    /// The last change-log position the index reflects.
    pub position: i64,
}

/// A search: the parsed query, filters by kind and by facet (slugs), and a page.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub query: UserQuery,
    pub kinds: Vec<EntryKind>,
    /// Facet field (`strategy`, `dimension`, `cause`, `region`) to accepted slugs.
    pub facets: BTreeMap<FacetField, Vec<String>>,
    pub limit: usize,
    pub offset: usize,
    /// Skip what the caller will not show: facet counts cost a visit of every matching record.
    pub without_facets: bool,
    pub without_highlights: bool,
    pub scope: Scope,
}

/// Which parts of a record a search reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Everything, with the character net and typo tolerance: what a planner's search box wants.
    #[default]
    Everything,
    /// Only whole words in names, aliases and summaries: what counts as evidence that a record
    /// is about a described situation (no single characters, no guessed spellings).
    Evidence,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Highlight {
    /// `title`, `aliases`, `summary`, `body` or `text` (all Chinese text, matched by character).
    pub field: &'static str,
    pub lang: Lang,
    pub html: String,
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub score: f32,
    pub kind: EntryKind,
    pub id: i32,
    pub slug: String,
    pub title: (String, String),
    pub highlights: Vec<Highlight>,
}

#[derive(Clone, Debug, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet field (`kind`, `strategy`, `dimension`, `region`) to (value, count), largest first.
    pub facets: Vec<(FacetField, Vec<(String, u64)>)>,
}

/// The fields a document's facets are under: `/kind/case`, `/strategy/education`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacetField {
    Kind,
    Strategy,
    Dimension,
    Cause,
    Region,
}

impl FacetField {
    /// Facet fields reported with results (a cause's facet only narrows a search: causes are
    /// a tree a planner picks from, not a count worth showing).
    pub const REPORTED: [FacetField; 4] = [
        FacetField::Kind,
        FacetField::Strategy,
        FacetField::Dimension,
        FacetField::Region,
    ];

    /// The facet's root in the index, and its name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            FacetField::Kind => "kind",
            FacetField::Strategy => "strategy",
            FacetField::Dimension => "dimension",
            FacetField::Cause => "cause",
            FacetField::Region => "region",
        }
    }

    fn facet(self, value: &str) -> Facet {
        Facet::from_path([self.as_str(), value])
    }
}

pub struct SearchEngine {
    index: Index,
    reader: IndexReader,
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    jieba: Arc<Jieba>,
    dir: PathBuf,
}

const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

impl SearchEngine {
    /// Opens the index in `dir`, creating it if missing. An index of another schema version is
    /// discarded, and a damaged one (a file missing, truncated or garbled, or one that cannot be
    /// opened) is set aside as `<dir>.damaged`: the index is a cache, and the database rebuilds
    /// an empty one.
    pub fn open(dir: &Path, jieba: Arc<Jieba>) -> Result<SearchEngine, SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir)?;
        let existing = Index::open_in_dir(dir).ok().filter(|index| {
            index.schema() == schema
                && read_state(index).is_some_and(|s| s.schema_version == SCHEMA_VERSION)
        });
        let Some(index) = existing else {
            // Start over in an empty directory: a stale or foreign index is only a cache.
            std::fs::remove_dir_all(dir)?;
            return SearchEngine::create(dir, jieba);
        };
        let opened = match damage(&index, Some(dir)) {
            None => guarded(|| SearchEngine::over(index, fields, jieba.clone(), dir.to_path_buf())),
            Some(damage) => Err(SearchError::Damaged(damage)),
        };
        match opened {
            Ok(engine) => Ok(engine),
            Err(err) => {
                tracing::warn!(error = %err, index = %dir.display(), "the search index is damaged; it is set aside and rebuilt from the database");
                set_aside(dir)?;
                SearchEngine::create(dir, jieba)
            }
        }
    }

    /// A new, empty index in `dir` (which must not exist or be empty).
    fn create(dir: &Path, jieba: Arc<Jieba>) -> Result<SearchEngine, SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir)?;
        let index = Index::create_in_dir(dir, schema)?;
        SearchEngine::over(index, fields, jieba, dir.to_path_buf())
    }

    /// What is wrong with this engine's files, if anything (see `damage`).
    pub fn damage(&self) -> Option<String> {
        let dir = (!self.dir.as_os_str().is_empty()).then_some(self.dir.as_path());
        damage(&self.index, dir)
    }

    /// An empty engine in place of this one, whose index was found damaged: on disk, the
    /// damaged directory is set aside first. This engine's writer is closed.
    pub fn replacement(&self) -> Result<SearchEngine, SearchError> {
        drop(
            self.writer
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take(),
        );
        if self.dir.as_os_str().is_empty() {
            return SearchEngine::in_memory(self.jieba.clone());
        }
        set_aside(&self.dir)?;
        SearchEngine::create(&self.dir, self.jieba.clone())
    }

    /// An index in memory (for tests and benchmarks).
    pub fn in_memory(jieba: Arc<Jieba>) -> Result<SearchEngine, SearchError> {
        let (schema, fields) = schema();
        SearchEngine::over(Index::create_in_ram(schema), fields, jieba, PathBuf::new())
    }

    /// The engine over an opened index: its tokenizers registered, one reader, no writer yet.
    fn over(
        index: Index,
        fields: Fields,
        jieba: Arc<Jieba>,
        dir: PathBuf,
    ) -> Result<SearchEngine, SearchError> {
        tokenizer::register(&index, &jieba);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchEngine {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            jieba,
            dir,
        })
    }

    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// The state recorded by the last commit, if any.
    pub fn state(&self) -> Option<IndexState> {
        read_state(&self.index)
    }

    /// Replaces the whole content of the index with `docs`, in one commit that records
    /// `position`. `progress` hears of each document added.
    pub fn rebuild(
        &self,
        docs: impl IntoIterator<Item = SearchDocument>,
        position: i64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), SearchError> {
        self.write(position, |writer| {
            // The rebuild's segments are merged into one below. A background merge of some of
            // them meanwhile makes that merge fail ("the segments that were merged could not be
            // found": a reindex of 300,000 records did), so none is started until it is done.
            writer.set_merge_policy(Box::new(NoMergePolicy));
            writer.delete_all_documents()?;
            for document in docs {
                writer.add_document(self.to_tantivy(&document))?;
                progress(1);
            }
            Ok(())
        })?;
        let merged = self.merge_segments();
        self.with_writer(|writer| writer.set_merge_policy(Box::<LogMergePolicy>::default()));
        merged
    }

    /// Merges the index into one segment and waits for it. The writer's threads each write a
    /// segment of their own, and a search builds its scorers (and their buffers) once per
    /// segment: on the bundled data, two segments cost a search a quarter of its time. The
    /// merge keeps the last commit's payload.
    fn merge_segments(&self) -> Result<(), SearchError> {
        let segments = self.index.searchable_segment_ids()?;
        if segments.len() < 2 {
            return Ok(());
        }
        self.with_writer(|writer| writer.merge(&segments).wait())
            .transpose()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Runs `f` with the writer, if there is one (the writer is created by the first write).
    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter) -> T) -> Option<T> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        guard.as_mut().map(f)
    }

    /// Replaces the documents of `keys` with `docs` (a key without a document is deleted), in one
    /// commit that records `position`. Applying the same replacement twice changes nothing.
    pub fn replace(
        &self,
        keys: &BTreeSet<String>,
        docs: &[SearchDocument],
        position: i64,
    ) -> Result<(), SearchError> {
        self.write(position, |writer| {
            for key in keys {
                writer.delete_term(Term::from_field_text(self.fields.key, key));
            }
            for document in docs {
                writer.add_document(self.to_tantivy(document))?;
            }
            Ok(())
        })
    }

    /// The keys of the documents built from any of the records `keys`.
    pub fn dependents(&self, keys: &BTreeSet<String>) -> Result<BTreeSet<String>, SearchError> {
        let searcher = self.reader.searcher();
        let query = BooleanQuery::new(
            keys.iter()
                .map(|key| {
                    let term = Term::from_field_text(self.fields.deps, key);
                    let query: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Should, query)
                })
                .collect(),
        );
        let mut found = BTreeSet::new();
        for address in searcher.search(&query, &DocSetCollector)? {
            let document: TantivyDocument = searcher.doc(address)?;
            if let Some(key) = document.get_first(self.fields.key).and_then(|v| v.as_str()) {
                found.insert(key.to_string());
            }
        }
        Ok(found)
    }

    /// Runs `edit` with the one writer (created on first use) and commits with `position` in
    /// the payload, then makes the commit visible to searches.
    fn write(
        &self,
        position: i64,
        edit: impl FnOnce(&mut IndexWriter) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            let writer: IndexWriter =
                self.index
                    .writer(WRITER_HEAP_BYTES)
                    .map_err(|err| match err {
                        tantivy::TantivyError::LockFailure(..) => {
                            SearchError::Locked(self.dir.clone())
                        }
                        other => SearchError::from(other),
                    })?;
            // A process killed during a commit leaves files no commit lists, named by their
            // opstamp (a segment's deletes: `<segment>.<opstamp>.del`); this process's next
            // commit may want the same name and fail ("FileAlreadyExists": the SIGKILL test met
            // it once). The first thing a writer does is remove them.
            writer.garbage_collect_files().wait()?;
            *guard = Some(writer);
        }
        let Some(writer) = guard.as_mut() else {
            unreachable!("the writer was just created")
        };
        if let Err(err) = edit(writer) {
            // Drop what the failed edit staged, so the next commit cannot carry half of it.
            writer.rollback()?;
            return Err(err);
        }
        let state = IndexState {
            schema_version: SCHEMA_VERSION,
            position,
        };
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&serde_json::to_string(&state).unwrap_or_default());
        commit.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    fn to_tantivy(&self, d: &SearchDocument) -> TantivyDocument {
        let f = &self.fields;
        let chars = character_text(&d.title.0, &d.aliases.0, &d.summary.0, &d.body.0);
        let mut document = doc!(
            f.key => d.key(),
            f.kind => d.kind.as_str(),
            f.id => d.id as u64,
            f.slug => d.slug.clone(),
            f.title_zh => d.title.0.clone(),
            f.title_en => d.title.1.clone(),
            f.summary_zh => d.summary.0.clone(),
            f.summary_en => d.summary.1.clone(),
            f.body_zh => d.body.0.clone(),
            f.body_en => d.body.1.clone(),
            f.aliases_zh => d.aliases.0.clone(),
            f.aliases_en => d.aliases.1.clone(),
            f.chars => chars,
        );
        let names: BTreeSet<String> = [&d.title.0, &d.title.1]
            .into_iter()
            .chain([&d.aliases.0, &d.aliases.1])
            .flat_map(|text| text.lines())
            .map(name_key)
            .filter(|key| !key.is_empty())
            .collect();
        for name in names {
            document.add_text(f.names, name);
        }
        document.add_facet(f.facets, FacetField::Kind.facet(d.kind.as_str()));
        for (field, slug) in &d.facets {
            document.add_facet(f.facets, field.facet(slug));
        }
        for dep in &d.deps {
            document.add_text(f.deps, dep);
        }
        document
    }

    /// Runs a search. Blocking: call it off the async worker threads.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let Some(query) = self.build_query(request, &searcher) else {
            return Ok(SearchResults::default());
        };
        let limit = request.limit.max(1);
        let mut facets = FacetCollector::for_field("facets");
        for field in FacetField::REPORTED {
            facets.add_facet(Facet::from_path([field.as_str()]));
        }
        let facets = (!request.without_facets).then_some(facets);
        // The ranking pass skips the records that cannot reach the page, and counts only if it
        // skipped none; otherwise a second pass that scores nothing counts (a collector counting
        // in the ranking pass would make it score every match).
        let ranked = query.top(&searcher, request.offset + limit)?;
        let top: Vec<_> = ranked.top.into_iter().skip(request.offset).collect();
        let (total, facet_counts) = match (ranked.matches, facets) {
            (Some(total), None) => (total, None),
            (_, facets) => searcher.search(&query, &(Count, facets))?,
        };

        let mut snippets = if request.without_highlights {
            Vec::new()
        } else {
            self.snippets(&searcher, &query, request.scope)?
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let document: TantivyDocument = searcher.doc(address)?;
            let text = |field| {
                document
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
            };
            let kind = EntryKind::parse(text(self.fields.kind)).ok();
            let id = document
                .get_first(self.fields.id)
                .and_then(|v| v.as_u64())
                .and_then(|id| i32::try_from(id).ok());
            let (Some(kind), Some(id)) = (kind, id) else {
                continue;
            };
            let mut highlights: Vec<Highlight> = Vec::new();
            for (name, lang, field, snippets) in &mut snippets {
                let html = if *field == self.fields.chars {
                    // The character-level match is only worth showing when no word matched.
                    if highlights.iter().any(|h| h.lang == Lang::Zh) {
                        continue;
                    }
                    snippets.html(&character_text(
                        text(self.fields.title_zh),
                        text(self.fields.aliases_zh),
                        text(self.fields.summary_zh),
                        text(self.fields.body_zh),
                    ))
                } else {
                    snippets.html(text(*field))
                };
                let Some(html) = html else {
                    continue;
                };
                highlights.push(Highlight {
                    field: name,
                    lang: *lang,
                    html,
                });
            }
            hits.push(Hit {
                score,
                kind,
                id,
                slug: text(self.fields.slug).to_string(),
                title: (
                    text(self.fields.title_zh).to_string(),
                    text(self.fields.title_en).to_string(),
                ),
                highlights,
            });
        }
        let Some(facet_counts) = facet_counts else {
            return Ok(SearchResults {
                total,
                hits,
                facets: Vec::new(),
            });
        };
        let facets = FacetField::REPORTED
            .into_iter()
            .map(|field| {
                let mut values: Vec<(String, u64)> = facet_counts
                    .get(Facet::from_path([field.as_str()]))
                    .map(|(facet, count)| {
                        (
                            facet
                                .to_path()
                                .last()
                                .map(|s| s.to_string())
                                .unwrap_or_default(),
                            count,
                        )
                    })
                    .collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                (field, values)
            })
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    /// The snippets of each field a highlight may come from and the query has terms in.
    fn snippets(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        scope: Scope,
    ) -> Result<Vec<(&'static str, Lang, Field, Snippets)>, SearchError> {
        let f = &self.fields;
        let mut terms: BTreeMap<Field, BTreeSet<&Term>> = BTreeMap::new();
        query.query_terms(&mut |term, _| {
            terms.entry(term.field()).or_default().insert(term);
        });
        let mut snippets = Vec::new();
        // Evidence reads names, aliases and summaries only: no snippet of anything else.
        let fields = if scope == Scope::Evidence { 6 } else { 9 };
        for (name, lang, field, max_bytes) in [
            ("title", Lang::Zh, f.title_zh, 300),
            ("title", Lang::En, f.title_en, 200),
            ("aliases", Lang::Zh, f.aliases_zh, 300),
            ("aliases", Lang::En, f.aliases_en, 200),
            ("summary", Lang::Zh, f.summary_zh, 300),
            ("summary", Lang::En, f.summary_en, 200),
            ("body", Lang::Zh, f.body_zh, 300),
            ("body", Lang::En, f.body_en, 200),
            ("text", Lang::Zh, f.chars, 300),
        ]
        .into_iter()
        .take(fields)
        {
            // As tantivy's snippets weigh them: rarer terms make better snippets.
            let mut weights = BTreeMap::new();
            for term in terms.get(&field).into_iter().flatten() {
                let doc_freq = searcher.doc_freq(term)?;
                if let (Some(text), true) = (term.value().as_str(), doc_freq > 0) {
                    weights.insert(text.to_string(), 1.0 / (1.0 + doc_freq as f32));
                }
            }
            if weights.is_empty() {
                continue;
            }
            let found = match lang {
                Lang::Zh => Snippets::substrings(weights, max_bytes),
                Lang::En => Some(Snippets::stems(weights, max_bytes)),
            };
            snippets.extend(found.map(|found| (name, lang, field, found)));
        }
        Ok(snippets)
    }

    /// The tantivy query for a request, or `None` when nothing can match (only exclusions,
    /// or only noise).
    fn build_query(
        &self,
        request: &SearchRequest,
        searcher: &tantivy::Searcher,
    ) -> Option<RankedWords> {
        let words: Vec<Word> = request
            .query
            .wanted
            .iter()
            .flat_map(|part| self.part_queries(part, request.scope, searcher))
            .collect();
        if words.is_empty() {
            return None;
        }
        // A query that is exactly a record's name or alias (dengkaoyao, 控輟保學) shows that
        // record first, even when none of its words matches on its own.
        let key = name_key(&request.query.wanted_text());
        let names: Option<Box<dyn Query>> = (request.scope == Scope::Everything && !key.is_empty())
            .then(|| {
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.names, &key),
                        IndexRecordOption::Basic,
                    )),
                    NAME_BONUS,
                )) as Box<dyn Query>
            });
        // Records with every word come first (a constant far above any sum of words' scores),
        // those with every word as typed before those that needed a guessed spelling, and
        // among them, records whose names hold every word.
        let several = words.len() > 1;
        let bonuses = Bonuses {
            every_word: several.then_some(ALL_WORDS_BONUS),
            every_word_named: several.then_some(NAMED_BONUS),
            every_word_lenient: words
                .iter()
                .any(|w| w.fuzzy.is_some())
                .then_some(ALL_WORDS_BONUS / 2.0),
        };
        let mut filters = Filters::default();
        for part in &request.query.excluded {
            for word in self.part_queries(part, Scope::Everything, searcher) {
                filters.excluded.push(word.exact);
            }
        }
        if !request.kinds.is_empty() {
            let kinds = request
                .kinds
                .iter()
                .map(|k| self.facet_query(&FacetField::Kind.facet(k.as_str())))
                .collect();
            filters.required.push(Box::new(BooleanQuery::union(kinds)));
        }
        for (field, slugs) in &request.facets {
            if slugs.is_empty() {
                continue;
            }
            let values = slugs
                .iter()
                .map(|slug| self.facet_query(&field.facet(slug)))
                .collect();
            filters.required.push(Box::new(BooleanQuery::union(values)));
        }
        Some(RankedWords {
            words: words.into_iter().map(Word::ranked).collect(),
            name: names,
            bonuses,
            filters,
        })
    }

    fn facet_query(&self, facet: &Facet) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_facet(self.fields.facets, facet),
            IndexRecordOption::Basic,
        ))
    }

    /// One query per word of a part (a phrase is one "word"): each matches the word in any field,
    /// titles and aliases weighing most, then summaries, bodies, and last the character safety
    /// net; an English word the index does not know also matches its near spellings.
    fn part_queries(&self, part: &Part, scope: Scope, searcher: &tantivy::Searcher) -> Vec<Word> {
        let f = &self.fields;
        let everything = scope == Scope::Everything;
        let zh_fields = self.fields_of(scope, [f.title_zh, f.aliases_zh, f.summary_zh, f.body_zh]);
        let en_fields = self.fields_of(scope, [f.title_en, f.aliases_en, f.summary_en, f.body_en]);
        // Titles and aliases: the record's names.
        let (zh_names, en_names) = (&zh_fields[..2], &en_fields[..2]);
        let any = |fields: Vec<Box<dyn Query>>| Box::new(Union(fields));
        match part {
            Part::Words(text) => {
                let mut words = Vec::new();
                for chunk in split_scripts(text) {
                    if chunk.chars().any(is_cjk) {
                        for (_, word) in query_words(&self.jieba, &chunk) {
                            if is_chinese_stop_word(&word)
                                || (!everything && word.chars().count() < 2)
                            {
                                continue;
                            }
                            let holding = holding(searcher, &zh_fields, &word);
                            let mut fields = weighted(&holding, |field| term_query(field, &word));
                            if everything {
                                fields.push(boost(self.characters_query(&word, false), CHARACTERS));
                            }
                            let named = among(&holding, zh_names);
                            words.push(Word {
                                exact: any(fields),
                                fuzzy: None,
                                named: any(weighted(&named, |field| term_query(field, &word))),
                                // Every record with the word has its characters.
                                found: everything.then(|| self.characters_query(&word, false)),
                            });
                        }
                    } else {
                        for (_, stem, original) in self.english_terms(&chunk) {
                            // Numbers and Latin names also occur in the Chinese texts.
                            let raw = original.to_lowercase();
                            let (en_holding, zh_holding) = (
                                holding(searcher, &en_fields, &stem),
                                holding(searcher, &zh_fields, &raw),
                            );
                            let mut fields =
                                weighted(&en_holding, |field| term_query(field, &stem));
                            fields.extend(weighted(&zh_holding, |field| term_query(field, &raw)));
                            let mut named = weighted(&among(&en_holding, en_names), |field| {
                                term_query(field, &stem)
                            });
                            named.extend(weighted(&among(&zh_holding, zh_names), |field| {
                                term_query(field, &raw)
                            }));
                            // Known words are never second-guessed.
                            let near = if everything && en_holding.is_empty() {
                                self.near_spellings(searcher, &stem, &original, &en_fields)
                            } else {
                                Vec::new()
                            };
                            let spelled = |fields: &[(Field, f32)]| {
                                let queries = near
                                    .iter()
                                    .map(|term| {
                                        let query = any(weighted(fields, |f| term_query(f, term)));
                                        boost(query, FUZZY)
                                    })
                                    .collect::<Vec<_>>();
                                any(queries)
                            };
                            if !near.is_empty() {
                                named.push(spelled(en_names));
                            }
                            words.push(Word {
                                exact: any(fields),
                                fuzzy: (!near.is_empty())
                                    .then(|| spelled(&en_fields) as Box<dyn Query>),
                                named: any(named),
                                found: None,
                            });
                        }
                    }
                }
                words
            }
            Part::Phrase(text) => {
                let word = if text.chars().any(is_cjk) {
                    let words: Vec<(usize, Term)> = query_words(&self.jieba, text)
                        .into_iter()
                        .map(|(p, w)| (p, Term::from_field_text(f.title_zh, &w)))
                        .collect();
                    let mut fields = weighted(&zh_fields, |field| phrase_query(field, &words));
                    if everything {
                        fields.push(boost(self.characters_query(text, true), CHARACTERS * 4.0));
                    }
                    Word {
                        exact: any(fields),
                        fuzzy: None,
                        named: any(weighted(zh_names, |field| phrase_query(field, &words))),
                        found: None,
                    }
                } else {
                    let words: Vec<(usize, Term)> = self
                        .english_terms(text)
                        .into_iter()
                        .map(|(p, w, _)| (p, Term::from_field_text(f.title_en, &w)))
                        .collect();
                    if words.is_empty() {
                        return Vec::new();
                    }
                    Word {
                        exact: any(weighted(&en_fields, |field| phrase_query(field, &words))),
                        fuzzy: None,
                        named: any(weighted(en_names, |field| phrase_query(field, &words))),
                        found: None,
                    }
                };
                vec![word]
            }
        }
    }

    /// The weighted fields of one language a scope reads (title, aliases, summary, body).
    fn fields_of(
        &self,
        scope: Scope,
        [title, aliases, summary, body]: [Field; 4],
    ) -> Vec<(Field, f32)> {
        let mut fields = vec![(title, TITLE), (aliases, TITLE), (summary, SUMMARY)];
        if scope == Scope::Everything {
            fields.push((body, BODY));
        }
        fields
    }

    /// Typo tolerance: for an English word of 5 letters or more (that no record contains: the
    /// caller asks only then), the index's terms within one edit of its stem (two from 9
    /// letters), closest first; they are searched like the word itself but weighted `FUZZY`, so
    /// exact matches rank first.
    fn near_spellings(
        &self,
        searcher: &tantivy::Searcher,
        stem: &str,
        original: &str,
        fields: &[(Field, f32)],
    ) -> Vec<String> {
        let letters = original.chars().count();
        if letters < 5 || !original.chars().all(|c| c.is_ascii_alphabetic()) {
            return Vec::new();
        }
        let distance = if letters >= 9 { 2 } else { 1 };
        let mut near: BTreeSet<(usize, String)> = BTreeSet::new();
        for (field, _) in fields {
            for segment in searcher.segment_readers() {
                let Ok(index) = segment.inverted_index(*field) else {
                    continue;
                };
                let Ok(mut terms) = index.terms().stream() else {
                    continue;
                };
                while terms.advance() {
                    let Ok(term) = std::str::from_utf8(terms.key()) else {
                        continue;
                    };
                    let edits = strsim::damerau_levenshtein(stem, term);
                    if edits <= distance {
                        near.insert((edits, term.to_string()));
                    }
                }
            }
        }
        near.into_iter()
            .take(MAX_NEAR_SPELLINGS)
            .map(|(_, term)| term)
            .collect()
    }

    /// English words as the `en` analyzer indexes them: (position, stemmed term, original).
    fn english_terms(&self, text: &str) -> Vec<(usize, String, String)> {
        let mut analyzer = tokenizer::english();
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push((
                token.position,
                token.text.clone(),
                text[token.offset_from..token.offset_to].to_string(),
            ));
        }
        terms
    }

    /// The character safety net: every Chinese character of `text` (in order when `exact`).
    fn characters_query(&self, text: &str, exact: bool) -> Box<dyn Query> {
        let chars: Vec<char> = text.chars().filter(|c| is_cjk(*c)).collect();
        let terms: Vec<(usize, Term)> = chars
            .iter()
            .enumerate()
            .map(|(i, c)| (i, Term::from_field_text(self.fields.chars, &c.to_string())))
            .collect();
        if exact {
            return phrase_query(self.fields.chars, &terms);
        }
        let unique: BTreeSet<Term> = terms.into_iter().map(|(_, t)| t).collect();
        match unique.len() {
            0 => Box::new(EmptyQuery),
            _ => Box::new(BooleanQuery::new(
                unique
                    .into_iter()
                    .map(|t| {
                        (
                            Occur::Must,
                            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
                                as Box<dyn Query>,
                        )
                    })
                    .collect(),
            )),
        }
    }
}

/// One word of a query: as typed, with its near spellings (an unknown English word), and in
/// the record's names only (titles and aliases, near spellings included).
struct Word {
    exact: Box<dyn Query>,
    fuzzy: Option<Box<dyn Query>>,
    named: Box<dyn Query>,
    /// The records of `exact`, found with fewer postings (`RankedWord::found`).
    found: Option<Box<dyn Query>>,
}

impl Word {
    fn ranked(self) -> RankedWord {
        let Word {
            exact,
            fuzzy,
            named,
            found,
        } = self;
        match fuzzy {
            // The word as typed or any of its near spellings.
            Some(fuzzy) => RankedWord {
                lenient: Box::new(Union(vec![exact.box_clone(), fuzzy])),
                exact: Some(exact),
                named,
                found: None,
            },
            None => RankedWord {
                lenient: exact,
                exact: None,
                named,
                found,
            },
        }
    }
}

/// The fields among `fields` in which some record holds `text`. A term no record holds adds
/// nothing to any score, but its weight and scorer each cost a dictionary lookup in every
/// segment, in each of the clauses a word appears in (any word, every word, every word in the
/// names): English words looked up in the Chinese fields made up half of a search's terms.
fn holding(searcher: &tantivy::Searcher, fields: &[(Field, f32)], text: &str) -> Vec<(Field, f32)> {
    fields
        .iter()
        .copied()
        .filter(|(field, _)| {
            searcher
                .doc_freq(&Term::from_field_text(*field, text))
                .map_or(true, |n| n > 0)
        })
        .collect()
}

/// The fields of `fields` that are also among `names` (the title and aliases fields).
fn among(fields: &[(Field, f32)], names: &[(Field, f32)]) -> Vec<(Field, f32)> {
    fields
        .iter()
        .copied()
        .filter(|(field, _)| names.iter().any(|(name, _)| name == field))
        .collect()
}

fn weighted(
    fields: &[(Field, f32)],
    query: impl Fn(Field) -> Box<dyn Query>,
) -> Vec<Box<dyn Query>> {
    fields
        .iter()
        .map(|&(field, weight)| boost(query(field), weight))
        .collect()
}

const TITLE: f32 = 3.0;
const SUMMARY: f32 = 2.0;
const BODY: f32 = 1.0;
const CHARACTERS: f32 = 0.3;
const ALL_WORDS_BONUS: f32 = 1000.0;
/// Records whose title or aliases hold every word, on top of the all-words bonus.
const NAMED_BONUS: f32 = 200.0;
/// Above records with every word: the record the query names.
const NAME_BONUS: f32 = 5000.0;
/// A near spelling weighs this share of the exact word.
const FUZZY: f32 = 0.5;
/// The closest spellings an unknown word is read as.
const MAX_NEAR_SPELLINGS: usize = 5;

fn boost(query: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(Boost { query, weight })
}

fn term_query(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A phrase over `field` from terms with their positions (re-targeted to `field`); a single
/// term is a plain term query.
fn phrase_query(field: tantivy::schema::Field, terms: &[(usize, Term)]) -> Box<dyn Query> {
    let terms: Vec<(usize, Term)> = terms
        .iter()
        .map(|(p, t)| {
            (
                *p,
                Term::from_field_text(field, t.value().as_str().unwrap_or_default()),
            )
        })
        .collect();
    match terms.len() {
        0 => Box::new(EmptyQuery),
        1 => Box::new(TermQuery::new(
            terms[0].1.clone(),
            IndexRecordOption::WithFreqs,
        )),
        _ => Box::new(PhraseQuery::new_with_offset(terms)),
    }
}

/// Splits mixed text into runs of Chinese and runs of everything else ("Fengdu一只鸡" -> two).
fn split_scripts(text: &str) -> Vec<String> {
    let mut runs: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        let cjk = is_cjk(c);
        match runs.last_mut() {
            Some((last, run)) if *last == cjk => run.push(c),
            _ => runs.push((cjk, c.to_string())),
        }
    }
    runs.into_iter().map(|(_, run)| run).collect()
}

fn read_state(index: &Index) -> Option<IndexState> {
    index
        .load_metas()
        .ok()?
        .payload
        .and_then(|payload| serde_json::from_str(&payload).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_the_index_is_damage_not_a_crash() {
        let outcome: Result<(), SearchError> = guarded(|| panic!("skip index corrupted"));
        match outcome {
            Err(err @ SearchError::Damaged(_)) => {
                assert!(err.is_damage());
                assert!(err.to_string().contains("skip index corrupted"));
            }
            other => panic!("{other:?}"),
        }
        assert!(!SearchError::Locked(PathBuf::from("/x")).is_damage());
    }

    #[test]
    fn a_chinese_word_s_character_net_finds_the_records_of_the_word() {
        let engine = SearchEngine::in_memory(tokenizer::jieba()).unwrap();
        let texts = [
            ("飲水安全", "村民自發成立飲水協會"),
            ("饮水", "水利设施"),
            ("安全饮用水", "安全生产与产业扶贫"),
            ("产业扶贫", "发展养鸡产业，蛋鸡养殖带动脱贫"),
            ("贫困户", "扶持贫困户发展产业"),
            ("Fengdu一只鸡", "丰都县“一只鸡”产业链"),
        ];
        let documents = texts.iter().enumerate().map(|(i, (title, body))| {
            let mut document = SearchDocument::sample();
            document.id = i as i32 + 1;
            document.slug = format!("record-{i}");
            document.title.0 = title.to_string();
            document.body.0 = body.to_string();
            document.summary.0 = format!("{body}。{title}");
            document
        });
        engine.rebuild(documents, 1, &mut |_| ()).unwrap();
        let searcher = engine.reader.searcher();
        let mut words = 0;
        for typed in [
            "饮水",
            "安全",
            "产业",
            "扶贫",
            "贫困户",
            "蛋鸡",
            "一只鸡",
            "协会",
            "鸡",
        ] {
            for word in
                engine.part_queries(&Part::Words(typed.into()), Scope::Everything, &searcher)
            {
                let found = word.found.expect("a Chinese word has its net");
                let count = |query: &dyn Query| searcher.search(query, &DocSetCollector).unwrap();
                assert_eq!(count(word.exact.as_ref()), count(found.as_ref()), "{typed}");
                words += 1;
            }
        }
        assert!(words >= 9);
    }

    /// An index on disk holding the sample document: its directory (kept while the first value
    /// lives), the index's path, the engine and the document.
    fn sample_on_disk() -> (tempfile::TempDir, PathBuf, SearchEngine, SearchDocument) {
        let dir = tempfile::tempdir().unwrap();
        let index_dir = dir.path().join("index");
        let engine = SearchEngine::open(&index_dir, tokenizer::jieba()).unwrap();
        let document = SearchDocument::sample();
        engine.rebuild([document.clone()], 1, &mut |_| ()).unwrap();
        (dir, index_dir, engine, document)
    }

    #[test]
    fn files_a_killed_writer_left_do_not_stop_the_next_commit() {
        use std::io::Write;
        use tantivy::directory::{Directory, TerminatingWrite};
        let (_dir, index_dir, engine, document) = sample_on_disk();
        // What a writer killed during a commit leaves: the deletes of the segment for the next
        // opstamps, registered as the index's files, listed by no commit.
        let segment = engine.index.searchable_segment_ids().unwrap()[0].uuid_string();
        let opstamp = engine.index.load_metas().unwrap().opstamp;
        for next in opstamp + 1..=opstamp + 20 {
            let name = PathBuf::from(format!("{segment}.{next}.del"));
            let mut file = engine.index.directory().open_write(&name).unwrap();
            file.write_all(b"half").unwrap();
            file.terminate().unwrap();
        }
        drop(engine);

        let engine = SearchEngine::open(&index_dir, tokenizer::jieba()).unwrap();
        let keys = BTreeSet::from([document.key()]);
        engine.replace(&keys, &[document], 2).unwrap();
        assert_eq!(engine.state().map(|s| s.position), Some(2));
    }

    #[test]
    fn a_missing_segment_file_is_found_before_it_is_read() {
        let (dir, index_dir, engine, _) = sample_on_disk();
        drop(engine);
        let positions = std::fs::read_dir(&index_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "pos"))
            .unwrap();
        std::fs::remove_file(positions).unwrap();
        let reopened = SearchEngine::open(&index_dir, tokenizer::jieba()).unwrap();
        assert!(
            reopened.state().is_none(),
            "a fresh index replaces the damaged one"
        );
        assert!(dir.path().join("index.damaged").is_dir());
    }
}
