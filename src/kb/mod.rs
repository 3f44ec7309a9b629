//! The knowledge base as files: the bundled one (compiled into the binary from `data/kb/`),
//! reading and validating files, and writing them to the database in one transaction.

pub mod aliases;
mod dump;
pub mod export;
mod format;
mod load;
mod stream;
pub mod synthetic;

use std::fmt;

pub use dump::{dump, record};
pub use format::*;
pub use load::{
    delete_record, load, load_with, write_record, LoadReport, Progress, Record, Target,
};
pub use stream::CaseStream;

use entities::kb_meta;

use crate::domain::RecordKind;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

/// The files of the bundled knowledge base, in the order they are read.
const BUNDLED: [(&str, &str); 9] = [
    ("sources.yaml", include_str!("../../data/kb/sources.yaml")),
    ("regions.yaml", include_str!("../../data/kb/regions.yaml")),
    (
        "dimensions.yaml",
        include_str!("../../data/kb/dimensions.yaml"),
    ),
    ("causes.yaml", include_str!("../../data/kb/causes.yaml")),
    (
        "strategies.yaml",
        include_str!("../../data/kb/strategies.yaml"),
    ),
    ("measures.yaml", include_str!("../../data/kb/measures.yaml")),
    ("cases.yaml", include_str!("../../data/kb/cases.yaml")),
    (
        "statistics.yaml",
        include_str!("../../data/kb/statistics.yaml"),
    ),
    ("glossary.yaml", include_str!("../../data/kb/glossary.yaml")),
];

/// The `kb_meta` key that records that the bundled knowledge base was loaded.
const BUNDLED_MARKER: &str = "bundled-kb-loaded";

/// What went wrong with a knowledge-base file, located as precisely as possible.
#[derive(Debug, thiserror::Error)]
pub enum KbError {
    /// The file is not valid YAML of the expected shape (serde names the line and column).
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    /// An entry breaks a rule: a dangling reference, a duplicate slug, a missing translation...
    #[error("{file}: {entry}: field `{field}`: {message}")]
    Entry {
        file: String,
        entry: String,
        field: String,
        message: String,
    },
    /// The file name does not say which type of entries it holds.
    #[error("{file}: unknown file; name it after the type of its entries ({}), ending in .yaml, .yml or .json", RecordKind::file_stems().collect::<Vec<_>>().join(", "))]
    UnknownFile { file: String },
    /// The files hold no entry at all: most likely the wrong file, and loading nothing would
    /// still log a change of everything, making every replica rebuild its index.
    #[error("{files}: no entries; nothing to import")]
    Empty { files: String },
    #[error("database error while loading the knowledge base")]
    Database(#[from] sea_orm::DbErr),
}

/// Where the text of a knowledge-base file comes from.
#[derive(Clone, Copy, Debug)]
pub enum Contents<'a> {
    Text(&'a str),
    /// A file on disk: JSON is parsed as it is read, so a 100,000-case import never holds the
    /// file's text in memory.
    File(&'a std::path::Path),
}

fn parse_list<T: serde::de::DeserializeOwned>(
    file: &str,
    contents: Contents<'_>,
) -> Result<Vec<T>, KbError> {
    let unreadable = |err: std::io::Error| KbError::Parse {
        file: file.to_string(),
        message: format!("cannot read the file: {err}"),
    };
    let text = match contents {
        Contents::Text(text) => std::borrow::Cow::Borrowed(text),
        Contents::File(path) => {
            if file.ends_with(".json") {
                let reader =
                    std::io::BufReader::new(std::fs::File::open(path).map_err(unreadable)?);
                if let Ok(list) = serde_json::from_reader::<_, Option<Vec<T>>>(reader) {
                    return Ok(list.unwrap_or_default());
                }
            }
            std::borrow::Cow::Owned(std::fs::read_to_string(path).map_err(unreadable)?)
        }
    };
    parse_text(file, &text)
}

fn parse_text<T: serde::de::DeserializeOwned>(
    file: &str,
    contents: &str,
) -> Result<Vec<T>, KbError> {
    // JSON (what `export` writes, and what large imports are) through serde_json: the YAML
    // parser keeps several times a large file's size in memory. A JSON error is reported by the
    // YAML parser below, whose messages name the entry.
    if file.ends_with(".json") {
        if let Ok(list) = serde_json::from_str::<Option<Vec<T>>>(contents) {
            return Ok(list.unwrap_or_default());
        }
    }
    serde_yaml_ng::from_str::<Option<Vec<T>>>(contents)
        .map(Option::unwrap_or_default)
        .map_err(|err| {
            let message = err.to_string();
            let message = match entry_of(contents, &message) {
                Some(entry) => format!("{entry}: {message}"),
                None => message,
            };
            KbError::Parse {
                file: file.to_string(),
                message,
            }
        })
}

/// Adds `more` to `list`, moving the whole list when `list` is empty: a second copy of 100,000
/// entries, however briefly, is what a large import's memory peak is made of.
fn append<T>(list: &mut Vec<T>, mut more: Vec<T>) {
    if list.is_empty() {
        more.shrink_to_fit();
        *list = more;
    } else {
        list.append(&mut more);
    }
}

/// Names the entry a parse error points into (serde's path starts `.[N]`), by its slug if it
/// has one, so that the message says which entry to fix.
fn entry_of(contents: &str, message: &str) -> Option<String> {
    let index: usize = message
        .strip_prefix(".[")?
        .split(']')
        .next()?
        .parse()
        .ok()?;
    let entries: Vec<serde_yaml_ng::Value> = serde_yaml_ng::from_str(contents).ok()?;
    let slug = entries
        .get(index)?
        .get("slug")
        .and_then(serde_yaml_ng::Value::as_str)
        .map(str::to_string);
    Some(match slug {
        Some(slug) => format!("entry {} ('{slug}')", index + 1),
        None => format!("entry {}", index + 1),
    })
}

impl KnowledgeBase {
    /// Reads files named after the type of their entries (`cases.yaml`, `regions.json`, ...;
    /// a directory part is ignored). JSON is read as the YAML subset it is.
    pub fn parse<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(KnowledgeBase, FileNames), KbError> {
        let mut kb = KnowledgeBase::default();
        let mut names = FileNames::default();
        for (path, contents) in files {
            kb.add_file(&mut names, path, Contents::Text(contents))?;
        }
        Ok((kb, names))
    }

    /// Adds the entries of one file (see `parse`), so that a caller reading many large files
    /// holds at most one file's text at a time (none for JSON read from disk).
    pub fn add_file(
        &mut self,
        names: &mut FileNames,
        path: &str,
        contents: Contents<'_>,
    ) -> Result<(), KbError> {
        let kb = self;
        {
            let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
            let kind = [".yaml", ".yml", ".json"]
                .iter()
                .find_map(|ext| name.strip_suffix(ext))
                .and_then(RecordKind::of_file_stem)
                .ok_or_else(|| KbError::UnknownFile {
                    file: path.to_string(),
                })?;
            names.add(kind, path);
            match kind {
                RecordKind::Source => append(&mut kb.sources, parse_list(path, contents)?),
                RecordKind::Region => append(&mut kb.regions, parse_list(path, contents)?),
                RecordKind::Dimension => append(&mut kb.dimensions, parse_list(path, contents)?),
                RecordKind::Cause => append(&mut kb.causes, parse_list(path, contents)?),
                RecordKind::Strategy => append(&mut kb.strategies, parse_list(path, contents)?),
                RecordKind::Measure => append(&mut kb.measures, parse_list(path, contents)?),
                RecordKind::Case => append(&mut kb.cases, parse_list(path, contents)?),
                RecordKind::Statistic => append(&mut kb.statistics, parse_list(path, contents)?),
                RecordKind::GlossaryTerm => append(&mut kb.glossary, parse_list(path, contents)?),
                RecordKind::Indicator
                | RecordKind::Citation
                | RecordKind::Actor
                | RecordKind::Revision => {
                    // No file holds these on their own: they are written inside their owner.
                    return Err(KbError::UnknownFile {
                        file: path.to_string(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Every entry, counted: what a progress bar measures.
    pub fn len(&self) -> usize {
        let nested: usize = self
            .regions
            .iter()
            .map(|region| region.indicators.len())
            .sum();
        self.sources.len()
            + self.regions.len()
            + nested
            + self.dimensions.len()
            + self.causes.len()
            + self.strategies.len()
            + self.measures.len()
            + self.cases.len()
            + self.statistics.len()
            + self.glossary.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The knowledge base that ships with policy-kb.
    pub fn bundled() -> Result<KnowledgeBase, KbError> {
        KnowledgeBase::parse(BUNDLED).map(|(kb, _)| kb)
    }
}

/// The files entries were read from, by type, for error messages; `cases.yaml` and so on when
/// nothing else is known.
#[derive(Clone, Debug, Default)]
pub struct FileNames(std::collections::HashMap<RecordKind, Vec<String>>);

impl FileNames {
    pub(crate) fn add(&mut self, kind: RecordKind, path: &str) {
        self.0.entry(kind).or_default().push(path.to_string());
    }

    pub fn of(&self, kind: RecordKind) -> String {
        match self.0.get(&kind) {
            Some(paths) => paths.join(" or "),
            None => format!("{}.yaml", kind.file_stem().unwrap_or(kind.name())),
        }
    }

    /// Every file named, for a message about all of them.
    pub fn all(&self) -> String {
        let mut paths: Vec<&str> = self.0.values().flatten().map(String::as_str).collect();
        paths.sort_unstable();
        if paths.is_empty() {
            "the files".into()
        } else {
            paths.join(", ")
        }
    }
}

/// Whether `seed_bundled` loaded anything.
#[derive(Debug)]
pub enum SeedOutcome {
    Loaded(LoadReport),
    AlreadyLoaded,
}

impl fmt::Display for SeedOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeedOutcome::Loaded(report) => write!(f, "loaded the bundled knowledge base: {report}"),
            SeedOutcome::AlreadyLoaded => {
                f.write_str("the database already holds the knowledge base; nothing to do")
            }
        }
    }
}

/// Loads the bundled knowledge base unless this database already had it: once per database,
/// never duplicated, even when several replicas start at once (the marker row is written in
/// the same transaction as the data, and its primary key admits only one writer).
pub async fn seed_bundled(db: &DatabaseConnection) -> Result<SeedOutcome, KbError> {
    if kb_meta::Entity::find_by_id(BUNDLED_MARKER)
        .one(db)
        .await?
        .is_some()
    {
        return Ok(SeedOutcome::AlreadyLoaded);
    }
    let kb = KnowledgeBase::bundled()?;
    let txn = crate::db::begin_write(db).await?;
    // A database that already holds records (imported by hand) keeps them: it is marked as
    // seeded without loading the bundle on top.
    let has_records = entities::sources::Entity::find().one(&txn).await?.is_some();
    let marker = kb_meta::ActiveModel {
        key: Set(BUNDLED_MARKER.to_string()),
        value: Set(env!("CARGO_PKG_VERSION").to_string()),
    };
    if let Err(err) = kb_meta::Entity::insert(marker).exec(&txn).await {
        // Another process got there first and has committed the data.
        txn.rollback().await?;
        return match kb_meta::Entity::find_by_id(BUNDLED_MARKER).one(db).await? {
            Some(_) => Ok(SeedOutcome::AlreadyLoaded),
            None => Err(err.into()),
        };
    }
    if has_records {
        txn.commit().await?;
        return Ok(SeedOutcome::AlreadyLoaded);
    }
    let report = load(&txn, kb, &FileNames::default(), &mut |_| ()).await?;
    txn.commit().await?;
    Ok(SeedOutcome::Loaded(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_files_parse() {
        let kb = KnowledgeBase::bundled().unwrap();
        assert!(!kb.sources.is_empty());
        assert!(!kb.cases.is_empty());
    }

    #[test]
    fn a_parse_error_names_the_file_and_line() {
        let err = KnowledgeBase::parse([("kb/cases.yaml", "- slug: a\n  title: [unclosed\n")])
            .unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("kb/cases.yaml: "), "{message}");
        assert!(message.contains("line"), "{message}");
    }

    #[test]
    fn a_malformed_value_names_the_entry_by_slug() {
        let yaml = "- slug: fine\n  name: {zh: 甲, en: A}\n  citations: []\n- slug: odd\n  name: {zh: 乙, en: 7}\n  summary: 12\n  citations: []\n";
        let err = KnowledgeBase::parse([("dimensions.yaml", yaml)])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("dimensions.yaml: entry 2 ('odd'): "),
            "{err}"
        );
        assert!(err.contains("summary"), "{err}");
    }

    #[test]
    fn an_unknown_field_is_a_parse_error() {
        let yaml = "- slug: a\n  name: {zh: 甲, en: A}\n  colour: red\n  citations: []\n";
        let err = KnowledgeBase::parse([("dimensions.yaml", yaml)]).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn an_unknown_file_is_refused() {
        let err = KnowledgeBase::parse([("people.yaml", "[]")]).unwrap_err();
        assert!(matches!(err, KbError::UnknownFile { .. }));
    }
}
