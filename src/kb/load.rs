//! Validating knowledge-base entries and writing them. Every rule failure names the file, the
//! entry and the field. The caller runs `load` inside a transaction, so a failure leaves the
//! database as it was.

use std::collections::HashMap;
use std::fmt;

use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, Iterable,
    PaginatorTrait, QueryFilter, QuerySelect, Value,
};

use entities::*;

use super::aliases;
use super::format::{
    Aliases, CaseEntry, CauseEntry, CitationEntry, DimensionEntry, GlossaryEntry, KnowledgeBase,
    Link, MeasureEntry, RegionEntry, SourceEntry, StatisticEntry, StrategyEntry, SurveyEntry, Text,
};
use super::{FileNames, KbError};
use crate::catalog::Table;
use crate::db::WriteTxn;
use crate::domain::{EntryKind, RecordKind, Respondent, Slug};

/// How long a verbatim excerpt may be, in characters.
pub const MAX_EXCERPT_CHARS: usize = 200;
/// How long a name, title or label may be, in characters, per language.
pub const MAX_NAME_CHARS: usize = 300;
/// How long any other text may be, in characters, per language.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most citations one record may carry (every revision stores them all).
pub const MAX_CITATIONS: usize = 20;
/// Most links of one kind one record may hold (a case's measures, a measure's causes, ...).
pub const MAX_LINKS: usize = 100;
/// Most indicators one region may hold.
pub const MAX_INDICATORS: usize = 100;
/// The figures a citation can name: the source numbers its figures from 1.
pub const FIGURES: std::ops::RangeInclusive<i32> = 1..=99;
/// The administrative levels a region can have, from province down to village.
pub const REGION_LEVELS: [&str; 10] = [
    "country",
    "province",
    "municipality",
    "prefecture",
    "county",
    "district",
    "township",
    "town",
    "subdistrict",
    "village",
];

/// How many rows of each kind a load wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub sources: usize,
    pub regions: usize,
    pub indicators: usize,
    pub dimensions: usize,
    pub causes: usize,
    pub strategies: usize,
    pub measures: usize,
    pub cases: usize,
    pub statistics: usize,
    pub citations: usize,
    pub links: usize,
    pub glossary: usize,
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} sources, {} regions, {} indicators, {} dimensions, {} causes, {} strategies, {} measures, {} cases, {} statistics, {} glossary terms, {} citations, {} links",
            self.sources, self.regions, self.indicators, self.dimensions, self.causes, self.strategies, self.measures, self.cases, self.statistics, self.glossary, self.citations, self.links
        )
    }
}

/// Where an entry stands, for error messages.
struct At {
    file: String,
    entry: String,
}

impl At {
    /// The entry of `kind` with this slug, in the files of its kind.
    fn of(files: &FileNames, kind: RecordKind, slug: &str) -> At {
        At::new(&files.of(kind), kind.label(), slug)
    }

    fn new(file: &str, kind: &str, slug: &str) -> At {
        At {
            file: file.to_string(),
            entry: format!("{kind} '{slug}'"),
        }
    }

    fn err(&self, field: impl Into<String>, message: impl Into<String>) -> KbError {
        KbError::Entry {
            file: self.file.to_string(),
            entry: self.entry.clone(),
            field: field.into(),
            message: message.into(),
        }
    }

    fn text(&self, field: &str, text: &Text) -> Result<(String, String), KbError> {
        // Names and labels are one line; summaries and narratives are paragraphs.
        let limit = match field.rsplit('.').next().unwrap_or(field) {
            "title" | "name" | "label" | "unit" | "series" | "section" | "zone" => MAX_NAME_CHARS,
            _ => MAX_TEXT_CHARS,
        };
        let one_line = limit == MAX_NAME_CHARS;
        for (lang, value) in [("zh", &text.zh), ("en", &text.en)] {
            if value.trim().is_empty() {
                return Err(self.err(format!("{field}.{lang}"), "the translation is missing"));
            }
            if value.chars().count() > limit {
                return Err(self.err(
                    format!("{field}.{lang}"),
                    format!("at most {limit} characters"),
                ));
            }
            self.printable(&format!("{field}.{lang}"), value, one_line)?;
        }
        Ok((text.zh.trim().to_string(), text.en.trim().to_string()))
    }

    /// Refuses control characters (NUL among them: PostgreSQL cannot store it, and no text of
    /// the knowledge base needs one); paragraphs may hold line breaks and tabs.
    fn printable(&self, field: &str, value: &str, one_line: bool) -> Result<(), KbError> {
        let allowed = |c: char| !one_line && matches!(c, '\n' | '\r' | '\t');
        match value.chars().find(|&c| c.is_control() && !allowed(c)) {
            Some(c) => Err(self.err(
                field,
                format!("contains the control character U+{:04X}", c as u32),
            )),
            None => Ok(()),
        }
    }

    /// Refuses a list longer than `limit`.
    fn at_most<T>(&self, field: &str, list: &[T], limit: usize) -> Result<(), KbError> {
        if list.len() > limit {
            return Err(self.err(
                field,
                format!("{} items; at most {limit} are allowed", list.len()),
            ));
        }
        Ok(())
    }

    fn optional_text(
        &self,
        field: &str,
        text: &Option<Text>,
    ) -> Result<(Option<String>, Option<String>), KbError> {
        match text {
            Some(text) => self.text(field, text).map(|(zh, en)| (Some(zh), Some(en))),
            None => Ok((None, None)),
        }
    }

    /// A link's provenance as stored: the rationale of an inferred link, or the position of the
    /// entry's citation (of `cited`) that states it.
    fn provenance(&self, field: &str, link: &Link, cited: usize) -> Result<Provenance, KbError> {
        let (zh, en) = match link.rationale() {
            Some(text) => self
                .text(&format!("{field}.rationale"), text)
                .map(|(zh, en)| (Some(zh), Some(en)))?,
            None => (None, None),
        };
        let citation = link.citation();
        match (&link, zh.is_some(), citation) {
            (_, true, Some(_)) => {
                return Err(self.err(
                    field,
                    "a link is stated (`citation`) or inferred (`rationale`), not both",
                ))
            }
            (Link::Detailed(_), false, None) => {
                return Err(self.err(
                    field,
                    "say how the source supports the link: `citation` (the position of the entry's citation that states it) or `rationale` (why it is implied)",
                ))
            }
            _ => {}
        }
        if let Some(n) = citation {
            if usize::try_from(n).map_or(true, |n| n >= cited) {
                return Err(self.err(
                    format!("{field}.citation"),
                    format!("there is no citation {n}: the entry has {cited}, counted from 0"),
                ));
            }
        }
        Ok(Provenance {
            rationale_zh: zh,
            rationale_en: en,
            citation,
        })
    }

    fn number(&self, field: &str, value: f64) -> Result<f64, KbError> {
        if value.is_finite() {
            Ok(value)
        } else {
            Err(self.err(field, "must be a finite number"))
        }
    }

    fn year(&self, year: Option<i32>) -> Result<Option<i32>, KbError> {
        match year {
            Some(y) if !(1900..=2100).contains(&y) => Err(self.err(
                "year",
                format!("{y} is not a plausible year (1900 to 2100)"),
            )),
            _ => Ok(year),
        }
    }
}

/// Slug-to-id maps of every table. A bulk load reads every slug up front (`existing`); a single
/// edit looks slugs up as it meets them (`lazy`).
struct Ids {
    by_kind: HashMap<RecordKind, HashMap<String, i32>>,
    /// Whether the maps hold every row, so that a miss means "no such row".
    complete: bool,
}

impl Ids {
    fn lazy() -> Ids {
        Ids {
            by_kind: HashMap::new(),
            complete: false,
        }
    }

    async fn existing<C: ConnectionTrait>(db: &C) -> Result<Ids, KbError> {
        async fn slugs<E: Table, C: ConnectionTrait>(
            db: &C,
        ) -> Result<(RecordKind, HashMap<String, i32>), KbError> {
            let rows: Vec<(String, i32)> = E::find()
                .select_only()
                .column(E::slug_column())
                .column(E::id_column())
                .into_tuple()
                .all(db)
                .await?;
            Ok((E::KIND, rows.into_iter().collect()))
        }
        let by_kind = [
            slugs::<sources::Entity, C>(db).await?,
            slugs::<regions::Entity, C>(db).await?,
            slugs::<indicators::Entity, C>(db).await?,
            slugs::<dimensions::Entity, C>(db).await?,
            slugs::<causes::Entity, C>(db).await?,
            slugs::<strategies::Entity, C>(db).await?,
            slugs::<measures::Entity, C>(db).await?,
            slugs::<cases::Entity, C>(db).await?,
            slugs::<statistics::Entity, C>(db).await?,
            slugs::<citations::Entity, C>(db).await?,
            slugs::<glossary_terms::Entity, C>(db).await?,
            // A case's actors are named like records: a taken name is the entry's error, found
            // before its rows are written (`Pending`).
            slugs::<actors::Entity, C>(db).await?,
        ]
        .into_iter()
        .collect();
        Ok(Ids {
            by_kind,
            complete: true,
        })
    }

    /// Checks an entry's slug: well-formed and not taken by another row than `target`'s.
    async fn claim<E: Table, C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &At,
        raw: &str,
        target: Target,
    ) -> Result<String, KbError> {
        let slug = Slug::parse(raw).map_err(|err| at.err("slug", err.to_string()))?;
        let holder = self.get::<E, C>(db, slug.as_str()).await?;
        if holder.is_some() && holder != target.id() {
            return Err(at.err(
                "slug",
                format!(
                    "duplicate slug: another {} is already called '{slug}'",
                    E::KIND.label()
                ),
            ));
        }
        Ok(slug.to_string())
    }

    async fn get<E: Table, C: ConnectionTrait>(
        &mut self,
        db: &C,
        slug: &str,
    ) -> Result<Option<i32>, KbError> {
        if let Some(id) = self.by_kind.get(&E::KIND).and_then(|ids| ids.get(slug)) {
            return Ok(Some(*id));
        }
        if self.complete {
            return Ok(None);
        }
        let id: Option<i32> = E::find()
            .select_only()
            .column(E::id_column())
            .filter(E::slug_column().eq(slug))
            .into_tuple()
            .one(db)
            .await?;
        if let Some(id) = id {
            self.insert::<E>(slug.to_string(), id);
        }
        Ok(id)
    }

    fn insert<E: Table>(&mut self, slug: String, id: i32) {
        self.by_kind.entry(E::KIND).or_default().insert(slug, id);
    }

    async fn resolve<E: Table, C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &At,
        field: &str,
        slug: &str,
    ) -> Result<i32, KbError> {
        self.get::<E, C>(db, slug).await?.ok_or_else(|| {
            at.err(
                field,
                format!(
                    "dangling reference: there is no {} with slug '{slug}'",
                    E::KIND.label()
                ),
            )
        })
    }

    async fn resolve_optional<E: Table, C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: &At,
        field: &str,
        slug: &Option<String>,
    ) -> Result<Option<i32>, KbError> {
        match slug.as_deref() {
            Some(slug) => self.resolve::<E, C>(db, at, field, slug).await.map(Some),
            None => Ok(None),
        }
    }
}

/// Which row an entry is written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A new row with a new id.
    New,
    /// The row `id`, now at `version`: its own data (citations, owned links, indicators) is
    /// replaced by the entry's.
    Replace { id: i32, version: i32 },
    /// A new row under the id of a deleted one (undoing a delete), at `version`.
    Restore { id: i32, version: i32 },
}

impl Target {
    pub fn id(self) -> Option<i32> {
        match self {
            Target::New => None,
            Target::Replace { id, .. } | Target::Restore { id, .. } => Some(id),
        }
    }

    fn id_value(self) -> sea_orm::ActiveValue<i32> {
        match self.id() {
            Some(id) => Set(id),
            None => NotSet,
        }
    }

    fn version(self) -> i32 {
        match self {
            Target::New => 1,
            Target::Replace { version, .. } | Target::Restore { version, .. } => version,
        }
    }

    fn replaces(self) -> bool {
        matches!(self, Target::Replace { .. })
    }
}

struct Writer<'a, C> {
    db: &'a C,
    ids: Ids,
    report: LoadReport,
    pending: Pending,
    new_ids: NewIds,
}

/// Called once per entry written, for progress bars.
pub type Progress<'a> = dyn FnMut(u64) + Send + 'a;

/// The most values one statement may bind: SQLite's limit (32,766), the lower of the two
/// backends' (PostgreSQL's is 65,535).
const MAX_BINDS: usize = 32_766;

/// How many rows a load holds before it writes them: statements of hundreds of rows (an import
/// of 100,000 cases took 4.1 s with 8,192 and 4.3 s with 2,048, but peaked at 136 MB instead of
/// 74 MB), and an import's memory does not grow with its size.
const FLUSH_ROWS: usize = 2_048;

/// A list of rows of one table waiting in `Pending`.
trait Queue<A> {
    fn queue(&mut self) -> &mut Vec<A>;
}

macro_rules! pending {
    ($($table:ident),* $(,)?) => {
        /// The new rows a write has validated but not inserted yet, one list per table: one
        /// statement inserts hundreds of them (a row per statement is what made an import of
        /// 100,000 cases take minutes). `write` inserts the lists in the order they are declared
        /// in, so that every foreign key points at a row inserted before it.
        #[derive(Default)]
        struct Pending {
            $($table: Vec<entities::$table::ActiveModel>,)*
        }

        $(impl Queue<entities::$table::ActiveModel> for Pending {
            fn queue(&mut self) -> &mut Vec<entities::$table::ActiveModel> {
                &mut self.$table
            }
        })*

        impl Pending {
            fn len(&self) -> usize {
                0 $(+ self.$table.len())*
            }

            async fn write<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
                $(insert_all(db, std::mem::take(&mut self.$table)).await?;)*
                Ok(())
            }
        }
    };
}

pending!(
    sources,
    regions,
    dimensions,
    causes,
    strategies,
    measures,
    cases,
    statistics,
    glossary_terms,
    indicators,
    actors,
    citations,
    aliases,
    cause_dimensions,
    measure_causes,
    case_measures,
);

/// Inserts `rows` of one table, as many per statement as the bind limit allows.
async fn insert_all<A, C>(db: &C, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count();
    let per_statement = MAX_BINDS / columns;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Ids for the new rows of a write, handed out by the write itself so that a row's citations,
/// links and aliases can be queued beside it (`Pending`) rather than wait for an insert to say
/// what its id is. They come after every id the table has ever given, as the database's own
/// would: a deleted record's id stays its own (an undo restores it under that id, and its
/// revisions name it). Only one write runs at a time (`db::begin_write`), so nothing else takes
/// ids meanwhile.
#[derive(Default)]
struct NewIds {
    /// By table: the next id to hand out, and where PostgreSQL's sequence stands.
    next: HashMap<String, (i32, i32)>,
}

impl NewIds {
    async fn next<E: Table, C: ConnectionTrait>(&mut self, db: &C) -> Result<i32, DbErr> {
        let table = E::default().table_name().to_string();
        let (next, _) = match self.next.get_mut(&table) {
            Some(ids) => ids,
            None => {
                let first = first_free_id(db, &table).await?;
                self.next.entry(table).or_insert((first, first))
            }
        };
        *next += 1;
        Ok(*next - 1)
    }

    /// Tells the database which ids were handed out, once their rows are written. SQLite's
    /// AUTOINCREMENT counter (`sqlite_sequence`) follows the largest id inserted by itself;
    /// a PostgreSQL sequence does not, so it is moved past them (`setval`).
    async fn written<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        let backend = db.get_database_backend();
        for (table, (next, sequence_at)) in &mut self.next {
            if backend == DatabaseBackend::Postgres && *sequence_at < *next - 1 {
                let setval = Query::select()
                    .expr(
                        Func::cust(Alias::new("setval"))
                            .arg(sequence(table))
                            .arg(i64::from(*next - 1)),
                    )
                    .to_owned();
                db.execute(backend.build(&setval)).await?;
                *sequence_at = *next - 1;
            }
        }
        Ok(())
    }
}

/// The sequence of a table's `id` column on PostgreSQL.
fn sequence(table: &str) -> sea_orm::sea_query::SimpleExpr {
    Func::cust(Alias::new("pg_get_serial_sequence"))
        .arg(table)
        .arg("id")
        .into()
}

/// The first id `table` has not given yet: PostgreSQL's sequence's next value (taken, so that
/// no one else gets it), or one past SQLite's AUTOINCREMENT counter (every knowledge table's id
/// is AUTOINCREMENT: sea-query's `auto_increment` on SQLite), or 1 for a table that has never
/// held a row.
async fn first_free_id<C: ConnectionTrait>(db: &C, table: &str) -> Result<i32, DbErr> {
    let backend = db.get_database_backend();
    let query = match backend {
        DatabaseBackend::Postgres => Query::select()
            .expr(Func::cust(Alias::new("nextval")).arg(sequence(table)))
            .to_owned(),
        _ => Query::select()
            .expr(Expr::col(Alias::new("seq")).add(1))
            .from(Alias::new("sqlite_sequence"))
            .and_where(Expr::col(Alias::new("name")).eq(table))
            .to_owned(),
    };
    let first: Option<i64> = match db.query_one(backend.build(&query)).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => None,
    };
    let first = first.unwrap_or(1);
    i32::try_from(first).map_err(|_| DbErr::Custom(format!("{table}: ids ran out at {first}")))
}

impl<C: ConnectionTrait> Writer<'_, C> {
    fn new(db: &C, ids: Ids) -> Writer<'_, C> {
        Writer {
            db,
            ids,
            report: LoadReport::default(),
            pending: Pending::default(),
            new_ids: NewIds::default(),
        }
    }

    /// Writes the row of `target` and returns its id: a `Replace` is updated at once (what
    /// follows may read it), a new row is queued under an id of its own.
    async fn save<A>(&mut self, mut row: A, target: Target) -> Result<i32, KbError>
    where
        A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
        A::Entity: Table,
        Pending: Queue<A>,
    {
        let now = Value::from(crate::domain::now());
        row.set(<A::Entity as Table>::updated_at_column(), now.clone());
        if target.replaces() {
            let model = row.update(self.db).await?;
            return Ok(<A::Entity as Table>::id_of(&model));
        }
        row.set(<A::Entity as Table>::created_at_column(), now);
        let id = match target.id() {
            Some(id) => id,
            None => self.new_ids.next::<A::Entity, C>(self.db).await?,
        };
        row.set(<A::Entity as Table>::id_column(), id.into());
        self.queue(row).await?;
        Ok(id)
    }

    /// Queues a new row, writing the queue first when it is full. Every row is queued after the
    /// rows it refers to, so a queue written at any point satisfies its foreign keys.
    async fn queue<A>(&mut self, row: A) -> Result<(), KbError>
    where
        Pending: Queue<A>,
    {
        if self.pending.len() >= FLUSH_ROWS {
            self.flush().await?;
        }
        self.pending.queue().push(row);
        Ok(())
    }

    /// Inserts every queued row: before reading what was written, and at the end of a write.
    async fn flush(&mut self) -> Result<(), KbError> {
        self.pending.write(self.db).await?;
        self.new_ids.written(self.db).await?;
        Ok(())
    }

    /// Writes a named record's row, then its citations and aliases; returns its id.
    async fn save_named<A>(
        &mut self,
        at: &At,
        slug: &str,
        row: A,
        target: Target,
        citations: &[CitationEntry],
        aliases: &Aliases,
    ) -> Result<i32, KbError>
    where
        A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
        A::Entity: Table,
        Pending: Queue<A>,
    {
        let id = self.save(row, target).await?;
        self.ids.insert::<A::Entity>(slug.to_string(), id);
        self.citations::<A::Entity>(at, id, slug, citations, target)
            .await?;
        self.aliases::<A::Entity>(at, id, aliases, target).await?;
        Ok(id)
    }

    async fn citations<E: Table>(
        &mut self,
        at: &At,
        entity_id: i32,
        entity_slug: &str,
        entries: &[CitationEntry],
        target: Target,
    ) -> Result<(), KbError> {
        if entries.is_empty() {
            return Err(at.err(
                "citations",
                "every entry needs at least one citation of its source",
            ));
        }
        at.at_most("citations", entries, MAX_CITATIONS)?;
        if target.replaces() {
            delete_citations(self.db, E::KIND, &[entity_id]).await?;
        }
        for (n, entry) in entries.iter().enumerate() {
            let field = format!("citations[{n}]");
            if let Some(figure) = entry.figure.filter(|f| !FIGURES.contains(f)) {
                return Err(at.err(
                    format!("{field}.figure"),
                    format!(
                        "{figure} is not a figure number ({} to {})",
                        FIGURES.start(),
                        FIGURES.end()
                    ),
                ));
            }
            let source_id = match &entry.source {
                Some(slug) => {
                    self.ids
                        .resolve::<sources::Entity, C>(
                            self.db,
                            at,
                            &format!("{field}.source"),
                            slug,
                        )
                        .await?
                }
                None => self.only_source(at, &field).await?,
            };
            let (section_zh, section_en) = at.text(&format!("{field}.section"), &entry.section)?;
            let (excerpt_zh, excerpt_en) = at.text(&format!("{field}.excerpt"), &entry.excerpt)?;
            if excerpt_zh.chars().count() > MAX_EXCERPT_CHARS {
                return Err(at.err(
                    format!("{field}.excerpt.zh"),
                    format!("a verbatim excerpt may have at most {MAX_EXCERPT_CHARS} characters"),
                ));
            }
            let slug = format!("{}-{}-{}", E::KIND.name(), entity_slug, n + 1);
            let row = citations::ActiveModel {
                id: NotSet,
                slug: Set(slug.clone()),
                version: Set(1),
                source_id: Set(source_id),
                entity_type: Set(E::KIND.name().to_string()),
                entity_id: Set(entity_id),
                section_zh: Set(section_zh),
                section_en: Set(section_en),
                figure: Set(entry.figure),
                excerpt_zh: Set(excerpt_zh),
                excerpt_en: Set(excerpt_en),
                ..Default::default()
            };
            let id = self.save(row, Target::New).await?;
            self.ids.insert::<citations::Entity>(slug, id);
            self.report.citations += 1;
        }
        Ok(())
    }

    /// Validates a record's aliases and replaces its stored ones with them.
    async fn aliases<E: Table>(
        &mut self,
        at: &At,
        entity_id: i32,
        entries: &Aliases,
        target: Target,
    ) -> Result<(), KbError> {
        let list = aliases::validate(entries).map_err(|bad| at.err(bad.field, bad.message))?;
        if target.replaces() {
            aliases::delete(self.db, E::KIND, &[entity_id]).await?;
        }
        for row in aliases::rows(E::KIND, entity_id, &list) {
            self.queue(row).await?;
        }
        Ok(())
    }

    async fn only_source(&mut self, at: &At, field: &str) -> Result<i32, KbError> {
        if !self.ids.complete {
            let ids: Vec<i32> = sources::Entity::find()
                .select_only()
                .column(sources::Column::Id)
                .limit(2)
                .into_tuple()
                .all(self.db)
                .await?;
            return one_source(at, field, &ids);
        }
        let sources = self
            .ids
            .by_kind
            .get(&sources::Entity::KIND)
            .map(|ids| ids.values().copied().collect::<Vec<_>>())
            .unwrap_or_default();
        one_source(at, field, &sources)
    }

    /// Writes the rows of a link table owned by the entry, checking each referenced slug and
    /// provenance (`cited`: how many citations the entry has).
    async fn links<T: Table, A>(
        &mut self,
        at: &At,
        field: &str,
        links: &[Link],
        cited: usize,
        row: impl Fn(i32, Provenance) -> A,
    ) -> Result<(), KbError>
    where
        Pending: Queue<A>,
    {
        at.at_most(field, links, MAX_LINKS)?;
        let mut seen = Vec::new();
        for (n, link) in links.iter().enumerate() {
            let target = self
                .ids
                .resolve::<T, C>(self.db, at, &format!("{field}[{n}]"), link.slug())
                .await?;
            if seen.contains(&target) {
                return Err(at.err(
                    format!("{field}[{n}]"),
                    format!("'{}' is listed twice", link.slug()),
                ));
            }
            seen.push(target);
            let provenance = at.provenance(&format!("{field}[{n}]"), link, cited)?;
            self.queue(row(target, provenance)).await?;
            self.report.links += 1;
        }
        Ok(())
    }

    /// Points `id` at its parent, refusing a parent that is the row itself or lies below it.
    async fn parent<E: Table>(
        &mut self,
        at: &At,
        id: i32,
        parent: &Option<String>,
        parent_of: impl Fn(&E::Model) -> Option<i32>,
        set: impl FnOnce(Option<i32>) -> sea_orm::UpdateMany<E>,
    ) -> Result<(), KbError> {
        // The walk reads the rows, and `set` updates one: they must be written.
        self.flush().await?;
        let parent = self
            .ids
            .resolve_optional::<E, C>(self.db, at, "parent", parent)
            .await?;
        let mut next = parent;
        while let Some(ancestor) = next {
            if ancestor == id {
                return Err(at.err(
                    "parent",
                    format!("a {} cannot lie inside itself", E::KIND.label()),
                ));
            }
            next = E::find()
                .filter(E::id_column().eq(ancestor))
                .one(self.db)
                .await?
                .and_then(|row| parent_of(&row));
        }
        if parent.is_some() || !self.ids.complete {
            set(parent).exec(self.db).await?;
        }
        Ok(())
    }

    async fn region(
        &mut self,
        at: &At,
        entry: &RegionEntry,
        target: Target,
    ) -> Result<i32, KbError> {
        let slug = self
            .ids
            .claim::<regions::Entity, C>(self.db, at, &entry.slug, target)
            .await?;
        if !REGION_LEVELS.contains(&entry.level.trim()) {
            return Err(at.err(
                "level",
                format!(
                    "'{}' is not a region level; use one of {}",
                    entry.level.trim(),
                    REGION_LEVELS.join(", ")
                ),
            ));
        }
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (zone_zh, zone_en) = at.optional_text("zone", &entry.zone)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let row = regions::ActiveModel {
            id: target.id_value(),
            slug: Set(slug.clone()),
            version: Set(target.version()),
            parent_id: Set(None),
            level: Set(entry.level.trim().to_string()),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            zone_zh: Set(zone_zh),
            zone_en: Set(zone_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        let id = self.save(row, target).await?;
        self.ids.insert::<regions::Entity>(slug.clone(), id);
        self.citations::<regions::Entity>(at, id, &slug, &entry.citations, target)
            .await?;
        self.report.regions += 1;
        Ok(id)
    }

    /// A region's parent and indicators: written once every region of a load exists, so that
    /// an entry may name a parent defined further down the file.
    async fn region_tree(
        &mut self,
        at: &At,
        id: i32,
        entry: &RegionEntry,
        target: Target,
        progress: &mut Progress<'_>,
    ) -> Result<(), KbError> {
        self.parent::<regions::Entity>(
            at,
            id,
            &entry.parent,
            |row| row.parent_id,
            |parent| {
                regions::Entity::update_many()
                    .col_expr(regions::Column::ParentId, parent.into())
                    .filter(regions::Column::Id.eq(id))
            },
        )
        .await?;
        if target.replaces() {
            delete_indicators(self.db, &[id]).await?;
        }
        at.at_most("indicators", &entry.indicators, MAX_INDICATORS)?;
        for indicator in &entry.indicators {
            let at = At::new(&at.file, RecordKind::Indicator.label(), &indicator.slug);
            let slug = self
                .ids
                .claim::<indicators::Entity, C>(self.db, &at, &indicator.slug, Target::New)
                .await?;
            let (name_zh, name_en) = at.text("name", &indicator.name)?;
            let (unit_zh, unit_en) = at.text("unit", &indicator.unit)?;
            let (note_zh, note_en) = at.optional_text("note", &indicator.note)?;
            let row = indicators::ActiveModel {
                id: NotSet,
                slug: Set(slug.clone()),
                version: Set(1),
                region_id: Set(id),
                name_zh: Set(name_zh),
                name_en: Set(name_en),
                value: Set(at.number("value", indicator.value)?),
                qualifier: Set(indicator.qualifier),
                unit_zh: Set(unit_zh),
                unit_en: Set(unit_en),
                year: Set(at.year(indicator.year)?),
                note_zh: Set(note_zh),
                note_en: Set(note_en),
                ..Default::default()
            };
            let indicator_id = self.save(row, Target::New).await?;
            self.ids
                .insert::<indicators::Entity>(slug.clone(), indicator_id);
            self.citations::<indicators::Entity>(
                &at,
                indicator_id,
                &slug,
                &indicator.citations,
                Target::New,
            )
            .await?;
            self.report.indicators += 1;
            progress(1);
        }
        Ok(())
    }

    async fn source(&mut self, at: &At, entry: &SourceEntry) -> Result<(), KbError> {
        let slug = self
            .ids
            .claim::<sources::Entity, C>(self.db, at, &entry.slug, Target::New)
            .await?;
        let (title_zh, title_en) = at.text("title", &entry.title)?;
        let (authors_zh, authors_en) = at.text("authors", &entry.authors)?;
        let (institution_zh, institution_en) = at.text("institution", &entry.institution)?;
        let (citation_zh, citation_en) = at.text("citation", &entry.citation)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let row = sources::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            title_zh: Set(title_zh),
            title_en: Set(title_en),
            authors_zh: Set(authors_zh),
            authors_en: Set(authors_en),
            institution_zh: Set(institution_zh),
            institution_en: Set(institution_en),
            year: Set(at.year(entry.year)?),
            citation_zh: Set(citation_zh),
            citation_en: Set(citation_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            ..Default::default()
        };
        let row = match &entry.survey {
            Some(survey) => with_survey(at, row, survey)?,
            None => row,
        };
        let id = self.save(row, Target::New).await?;
        self.ids.insert::<sources::Entity>(slug, id);
        self.report.sources += 1;
        Ok(())
    }

    async fn dimension(&mut self, at: &At, entry: &DimensionEntry) -> Result<(), KbError> {
        let slug = self
            .ids
            .claim::<dimensions::Entity, C>(self.db, at, &entry.slug, Target::New)
            .await?;
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let row = dimensions::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        self.save_named(
            at,
            &slug,
            row,
            Target::New,
            &entry.citations,
            &entry.aliases,
        )
        .await?;
        self.report.dimensions += 1;
        Ok(())
    }

    async fn strategy(&mut self, at: &At, entry: &StrategyEntry) -> Result<(), KbError> {
        let slug = self
            .ids
            .claim::<strategies::Entity, C>(self.db, at, &entry.slug, Target::New)
            .await?;
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (aim_zh, aim_en) = at.text("aim", &entry.aim)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let dimension_id = self
            .ids
            .resolve_optional::<dimensions::Entity, C>(self.db, at, "dimension", &entry.dimension)
            .await?;
        // The prongs written before this one count too.
        self.flush().await?;
        let taken = strategies::Entity::find()
            .filter(strategies::Column::Position.eq(entry.position))
            .count(self.db)
            .await?;
        if taken > 0 || entry.position < 1 {
            return Err(at.err(
                "position",
                format!(
                    "position {} is {}; each prong has its own place from 1",
                    entry.position,
                    if taken > 0 { "taken" } else { "not a place" }
                ),
            ));
        }
        let row = strategies::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            position: Set(entry.position),
            dimension_id: Set(dimension_id),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            aim_zh: Set(aim_zh),
            aim_en: Set(aim_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        self.save_named(
            at,
            &slug,
            row,
            Target::New,
            &entry.citations,
            &entry.aliases,
        )
        .await?;
        self.report.strategies += 1;
        Ok(())
    }

    async fn glossary_term(&mut self, at: &At, entry: &GlossaryEntry) -> Result<(), KbError> {
        let slug = self
            .ids
            .claim::<glossary_terms::Entity, C>(self.db, at, &entry.slug, Target::New)
            .await?;
        // The limits of the columns (`term` and `pinyin` are bounded strings on PostgreSQL).
        for (field, value, limit) in [
            ("term", &entry.term, 64),
            ("pinyin", &entry.pinyin, 128),
            ("english", &entry.english, MAX_NAME_CHARS),
        ] {
            if value.trim().is_empty() {
                return Err(at.err(field, "must not be empty"));
            }
            if value.chars().count() > limit {
                return Err(at.err(field, format!("at most {limit} characters")));
            }
            at.printable(field, value, true)?;
        }
        let (explanation_zh, explanation_en) = at.text("explanation", &entry.explanation)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let row = glossary_terms::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            term: Set(entry.term.trim().to_string()),
            pinyin: Set(entry.pinyin.trim().to_string()),
            english: Set(entry.english.trim().to_string()),
            explanation_zh: Set(explanation_zh),
            explanation_en: Set(explanation_en),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        self.save_named(
            at,
            &slug,
            row,
            Target::New,
            &entry.citations,
            &entry.aliases,
        )
        .await?;
        self.report.glossary += 1;
        Ok(())
    }

    async fn cause(&mut self, at: &At, entry: &CauseEntry, target: Target) -> Result<i32, KbError> {
        let slug = self
            .ids
            .claim::<causes::Entity, C>(self.db, at, &entry.slug, target)
            .await?;
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let row = causes::ActiveModel {
            id: target.id_value(),
            slug: Set(slug.clone()),
            version: Set(target.version()),
            parent_id: Set(None),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        let id = self
            .save_named(at, &slug, row, target, &entry.citations, &entry.aliases)
            .await?;
        if target.replaces() {
            cause_dimensions::Entity::delete_many()
                .filter(cause_dimensions::Column::CauseId.eq(id))
                .exec(self.db)
                .await?;
        }
        self.links::<dimensions::Entity, _>(
            at,
            "dimensions",
            &entry.dimensions,
            entry.citations.len(),
            |dimension_id, p| cause_dimensions::ActiveModel {
                cause_id: Set(id),
                dimension_id: Set(dimension_id),
                rationale_zh: Set(p.rationale_zh),
                rationale_en: Set(p.rationale_en),
                citation: Set(p.citation),
            },
        )
        .await?;
        self.report.causes += 1;
        Ok(id)
    }

    async fn cause_parent(&mut self, at: &At, id: i32, entry: &CauseEntry) -> Result<(), KbError> {
        self.parent::<causes::Entity>(
            at,
            id,
            &entry.parent,
            |row| row.parent_id,
            |parent| {
                causes::Entity::update_many()
                    .col_expr(causes::Column::ParentId, parent.into())
                    .filter(causes::Column::Id.eq(id))
            },
        )
        .await
    }

    async fn measure(
        &mut self,
        at: &At,
        entry: &MeasureEntry,
        target: Target,
    ) -> Result<i32, KbError> {
        let slug = self
            .ids
            .claim::<measures::Entity, C>(self.db, at, &entry.slug, target)
            .await?;
        let (title_zh, title_en) = at.text("title", &entry.title)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let strategy_id = self
            .ids
            .resolve::<strategies::Entity, C>(self.db, at, "strategy", &entry.strategy)
            .await?;
        let row = measures::ActiveModel {
            id: target.id_value(),
            slug: Set(slug.clone()),
            version: Set(target.version()),
            strategy_id: Set(strategy_id),
            title_zh: Set(title_zh),
            title_en: Set(title_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        let id = self
            .save_named(at, &slug, row, target, &entry.citations, &entry.aliases)
            .await?;
        if target.replaces() {
            measure_causes::Entity::delete_many()
                .filter(measure_causes::Column::MeasureId.eq(id))
                .exec(self.db)
                .await?;
        }
        self.links::<causes::Entity, _>(
            at,
            "causes",
            &entry.causes,
            entry.citations.len(),
            |cause_id, p| measure_causes::ActiveModel {
                measure_id: Set(id),
                cause_id: Set(cause_id),
                rationale_zh: Set(p.rationale_zh),
                rationale_en: Set(p.rationale_en),
                citation: Set(p.citation),
            },
        )
        .await?;
        self.report.measures += 1;
        Ok(id)
    }

    async fn case(&mut self, at: &At, entry: &CaseEntry, target: Target) -> Result<i32, KbError> {
        let slug = self
            .ids
            .claim::<cases::Entity, C>(self.db, at, &entry.slug, target)
            .await?;
        let (title_zh, title_en) = at.text("title", &entry.title)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let (actions_zh, actions_en) = at.optional_text("actions", &entry.actions)?;
        let (outcomes_zh, outcomes_en) = at.optional_text("outcomes", &entry.outcomes)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let region_id = self
            .ids
            .resolve_optional::<regions::Entity, C>(self.db, at, "region", &entry.region)
            .await?;
        let row = cases::ActiveModel {
            id: target.id_value(),
            slug: Set(slug.clone()),
            version: Set(target.version()),
            region_id: Set(region_id),
            year: Set(at.year(entry.year)?),
            title_zh: Set(title_zh),
            title_en: Set(title_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            actions_zh: Set(actions_zh),
            actions_en: Set(actions_en),
            outcomes_zh: Set(outcomes_zh),
            outcomes_en: Set(outcomes_en),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        let id = self.save(row, target).await?;
        self.ids.insert::<cases::Entity>(slug.clone(), id);
        self.citations::<cases::Entity>(at, id, &slug, &entry.citations, target)
            .await?;
        if target.replaces() {
            case_measures::Entity::delete_many()
                .filter(case_measures::Column::CaseId.eq(id))
                .exec(self.db)
                .await?;
        }
        self.links::<measures::Entity, _>(
            at,
            "measures",
            &entry.measures,
            entry.citations.len(),
            |measure_id, p| case_measures::ActiveModel {
                case_id: Set(id),
                measure_id: Set(measure_id),
                rationale_zh: Set(p.rationale_zh),
                rationale_en: Set(p.rationale_en),
                citation: Set(p.citation),
            },
        )
        .await?;
        if target.replaces() {
            actors::Entity::delete_many()
                .filter(actors::Column::CaseId.eq(id))
                .exec(self.db)
                .await?;
        }
        at.at_most("actors", &entry.actors, MAX_LINKS)?;
        for actor in &entry.actors {
            let at = At::new(&at.file, RecordKind::Actor.label(), &actor.slug);
            let slug = self
                .ids
                .claim::<actors::Entity, C>(self.db, &at, &actor.slug, Target::New)
                .await?;
            let (name_zh, name_en) = at.text("name", &actor.name)?;
            let (role_zh, role_en) = at.optional_text("role", &actor.role)?;
            let row = actors::ActiveModel {
                id: NotSet,
                slug: Set(slug.clone()),
                version: Set(1),
                case_id: Set(id),
                kind: Set(actor.kind),
                name_zh: Set(name_zh),
                name_en: Set(name_en),
                role_zh: Set(role_zh),
                role_en: Set(role_en),
                ..Default::default()
            };
            let actor_id = self.save(row, Target::New).await?;
            self.ids.insert::<actors::Entity>(slug, actor_id);
        }
        self.report.cases += 1;
        Ok(id)
    }

    async fn statistic(
        &mut self,
        at: &At,
        entry: &StatisticEntry,
        target: Target,
    ) -> Result<i32, KbError> {
        let slug = self
            .ids
            .claim::<statistics::Entity, C>(self.db, at, &entry.slug, target)
            .await?;
        let (series_zh, series_en) = at.optional_text("series", &entry.series)?;
        let (label_zh, label_en) = at.text("label", &entry.label)?;
        let (unit_zh, unit_en) = at.text("unit", &entry.unit)?;
        let respondent = match &entry.respondent {
            Some(raw) => Some(
                Respondent::parse(raw)
                    .map_err(|err| at.err("respondent", err.to_string()))?
                    .as_str()
                    .to_string(),
            ),
            None => None,
        };
        if let Some(sample) = entry.sample {
            if sample <= 0 {
                return Err(at.err("sample", "the sample size must be positive"));
            }
        }
        if entry.cause.is_none() && entry.dimension.is_none() {
            return Err(at.err(
                "cause",
                "a statistic must be evidence for a cause or a dimension",
            ));
        }
        let db = self.db;
        let cited = entry.citations.len();
        let cause_id = self
            .ids
            .resolve_optional::<causes::Entity, C>(
                db,
                at,
                "cause",
                &entry.cause.as_ref().map(|l| l.slug().to_string()),
            )
            .await?;
        let cause = match &entry.cause {
            Some(link) => at.provenance("cause", link, cited)?,
            None => Provenance::default(),
        };
        let dimension_id = self
            .ids
            .resolve_optional::<dimensions::Entity, C>(
                db,
                at,
                "dimension",
                &entry.dimension.as_ref().map(|l| l.slug().to_string()),
            )
            .await?;
        let dimension = match &entry.dimension {
            Some(link) => at.provenance("dimension", link, cited)?,
            None => Provenance::default(),
        };
        let (question_zh, question_en) = at.optional_text("question", &entry.question)?;
        let (base_zh, base_en) = at.optional_text("base", &entry.base)?;
        let (outside_zh, outside_en) = at.optional_text("outside", &entry.outside)?;
        let region_id = self
            .ids
            .resolve_optional::<regions::Entity, C>(db, at, "region", &entry.region)
            .await?;
        let row = statistics::ActiveModel {
            id: target.id_value(),
            slug: Set(slug.clone()),
            version: Set(target.version()),
            figure: Set(entry.figure),
            series_zh: Set(series_zh),
            series_en: Set(series_en),
            label_zh: Set(label_zh),
            label_en: Set(label_en),
            value: Set(at.number("value", entry.value)?),
            qualifier: Set(entry.qualifier),
            unit_zh: Set(unit_zh),
            unit_en: Set(unit_en),
            respondent: Set(respondent),
            sample: Set(entry.sample),
            question_zh: Set(question_zh),
            question_en: Set(question_en),
            multiple_answers: Set(entry.multiple_answers),
            base_zh: Set(base_zh),
            base_en: Set(base_en),
            cause_id: Set(cause_id),
            cause_rationale_zh: Set(cause.rationale_zh),
            cause_rationale_en: Set(cause.rationale_en),
            cause_citation: Set(cause.citation),
            dimension_id: Set(dimension_id),
            dimension_rationale_zh: Set(dimension.rationale_zh),
            dimension_rationale_en: Set(dimension.rationale_en),
            dimension_citation: Set(dimension.citation),
            region_id: Set(region_id),
            outside_zh: Set(outside_zh),
            outside_en: Set(outside_en),
            ..Default::default()
        };
        let id = self.save(row, target).await?;
        self.ids.insert::<statistics::Entity>(slug.clone(), id);
        self.citations::<statistics::Entity>(at, id, &slug, &entry.citations, target)
            .await?;
        self.report.statistics += 1;
        Ok(id)
    }
}

fn one_source(at: &At, field: &str, sources: &[i32]) -> Result<i32, KbError> {
    match sources {
        [only] => Ok(*only),
        [] => Err(at.err(
            format!("{field}.source"),
            "there is no source to cite; add one to sources.yaml",
        )),
        _ => Err(at.err(
            format!("{field}.source"),
            "name the source: the knowledge base has more than one",
        )),
    }
}

/// How the source supports a link, as stored beside it.
#[derive(Debug, Default)]
struct Provenance {
    rationale_zh: Option<String>,
    rationale_en: Option<String>,
    citation: Option<i32>,
}

/// Deletes the citations of rows of one kind.
pub(super) async fn delete_citations<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    ids: &[i32],
) -> Result<(), KbError> {
    citations::Entity::delete_many()
        .filter(citations::Column::EntityType.eq(kind.name()))
        .filter(citations::Column::EntityId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the indicators of regions, with their citations.
pub(super) async fn delete_indicators<C: ConnectionTrait>(
    db: &C,
    regions: &[i32],
) -> Result<(), KbError> {
    let ids: Vec<i32> = indicators::Entity::find()
        .select_only()
        .column(indicators::Column::Id)
        .filter(indicators::Column::RegionId.is_in(regions.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    delete_citations(db, indicators::Entity::KIND, &ids).await?;
    indicators::Entity::delete_many()
        .filter(indicators::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// One editable record in the file format. Its variants differ in size, but a record lives for
/// one edit and is never stored in bulk, so boxing the largest would buy nothing.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Region(RegionEntry),
    Cause(CauseEntry),
    Measure(MeasureEntry),
    Case(CaseEntry),
    Statistic(StatisticEntry),
}

impl Record {
    pub fn slug(&self) -> &str {
        match self {
            Record::Region(e) => &e.slug,
            Record::Cause(e) => &e.slug,
            Record::Measure(e) => &e.slug,
            Record::Case(e) => &e.slug,
            Record::Statistic(e) => &e.slug,
        }
    }
}

/// Validates one record and writes it to `target`; run it inside a transaction. Errors name
/// the field as a path inside the record (`title.en`, `citations[0].excerpt.zh`).
pub async fn write_record(db: &WriteTxn, record: &Record, target: Target) -> Result<i32, KbError> {
    let mut w = Writer::new(db, Ids::lazy());
    let at = At::new("input", "record", record.slug());
    let id = match record {
        Record::Region(entry) => {
            let id = w.region(&at, entry, target).await?;
            w.region_tree(&at, id, entry, target, &mut |_| ()).await?;
            id
        }
        Record::Cause(entry) => {
            let id = w.cause(&at, entry, target).await?;
            w.cause_parent(&at, id, entry).await?;
            id
        }
        Record::Measure(entry) => w.measure(&at, entry, target).await?,
        Record::Case(entry) => w.case(&at, entry, target).await?,
        Record::Statistic(entry) => w.statistic(&at, entry, target).await?,
    };
    w.flush().await?;
    Ok(id)
}

/// Deletes a record of `kind` with what it owns: citations, owned links, indicators.
pub async fn delete_record(db: &WriteTxn, kind: EntryKind, id: i32) -> Result<(), KbError> {
    delete_citations(db, kind.record(), &[id]).await?;
    aliases::delete(db, kind.record(), &[id]).await?;
    match kind {
        EntryKind::Region => {
            delete_indicators(db, &[id]).await?;
            regions::Entity::delete_by_id(id).exec(db).await?;
        }
        EntryKind::Cause => {
            cause_dimensions::Entity::delete_many()
                .filter(cause_dimensions::Column::CauseId.eq(id))
                .exec(db)
                .await?;
            causes::Entity::delete_by_id(id).exec(db).await?;
        }
        EntryKind::Measure => {
            measure_causes::Entity::delete_many()
                .filter(measure_causes::Column::MeasureId.eq(id))
                .exec(db)
                .await?;
            measures::Entity::delete_by_id(id).exec(db).await?;
        }
        EntryKind::Case => {
            case_measures::Entity::delete_many()
                .filter(case_measures::Column::CaseId.eq(id))
                .exec(db)
                .await?;
            actors::Entity::delete_many()
                .filter(actors::Column::CaseId.eq(id))
                .exec(db)
                .await?;
            cases::Entity::delete_by_id(id).exec(db).await?;
        }
        EntryKind::Statistic => {
            statistics::Entity::delete_by_id(id).exec(db).await?;
        }
        other => {
            return Err(KbError::Database(sea_orm::DbErr::Custom(format!(
                "{} records cannot be deleted",
                other.record().label()
            ))))
        }
    }
    Ok(())
}

/// Validates and writes every entry of `kb`; run it inside a transaction. `progress` hears of
/// each entry written.
pub async fn load(
    db: &WriteTxn,
    kb: KnowledgeBase,
    files: &FileNames,
    progress: &mut Progress<'_>,
) -> Result<LoadReport, KbError> {
    load_with(db, kb, None, files, progress).await
}

/// `load`, with more cases read from `streamed` as they are parsed (after the cases of `kb`).
/// The cases and statistics (the lists that grow large) are consumed as they are written, so an
/// import's memory does not grow with its size. Files with no entry at all are an error.
pub async fn load_with(
    db: &WriteTxn,
    kb: KnowledgeBase,
    streamed: Option<super::CaseStream>,
    files: &FileNames,
    progress: &mut Progress<'_>,
) -> Result<LoadReport, KbError> {
    let mut w = Writer::new(db, Ids::existing(db).await?);

    for entry in &kb.sources {
        let at = At::of(files, RecordKind::Source, &entry.slug);
        w.source(&at, entry).await?;
        progress(1);
    }

    for entry in &kb.dimensions {
        let at = At::of(files, RecordKind::Dimension, &entry.slug);
        w.dimension(&at, entry).await?;
        progress(1);
    }

    // Regions and causes are trees: insert every row first, then point children at parents,
    // so that an entry may name a parent defined further down the file.
    let mut regions_written = Vec::new();
    for entry in &kb.regions {
        let at = At::of(files, RecordKind::Region, &entry.slug);
        let id = w.region(&at, entry, Target::New).await?;
        regions_written.push((at, id, entry));
        progress(1);
    }
    for (at, id, entry) in regions_written {
        w.region_tree(&at, id, entry, Target::New, progress).await?;
    }

    let mut causes_written = Vec::new();
    for entry in &kb.causes {
        let at = At::of(files, RecordKind::Cause, &entry.slug);
        let id = w.cause(&at, entry, Target::New).await?;
        causes_written.push((at, id, entry));
        progress(1);
    }
    for (at, id, entry) in causes_written {
        w.cause_parent(&at, id, entry).await?;
    }

    for entry in &kb.strategies {
        let at = At::of(files, RecordKind::Strategy, &entry.slug);
        w.strategy(&at, entry).await?;
        progress(1);
    }

    for entry in &kb.measures {
        let at = At::of(files, RecordKind::Measure, &entry.slug);
        w.measure(&at, entry, Target::New).await?;
        progress(1);
    }
    for entry in kb.cases {
        let at = At::of(files, RecordKind::Case, &entry.slug);
        w.case(&at, &entry, Target::New).await?;
        progress(1);
    }
    if let Some(mut streamed) = streamed {
        while let Some(entry) = streamed.next().await {
            let entry = entry?;
            let at = At::of(files, RecordKind::Case, &entry.slug);
            w.case(&at, &entry, Target::New).await?;
            progress(1);
        }
    }
    for entry in kb.statistics {
        let at = At::of(files, RecordKind::Statistic, &entry.slug);
        w.statistic(&at, &entry, Target::New).await?;
        progress(1);
    }

    for entry in &kb.glossary {
        let at = At::of(files, RecordKind::GlossaryTerm, &entry.slug);
        w.glossary_term(&at, entry).await?;
        progress(1);
    }

    w.flush().await?;
    // The search indexes rebuild after a bulk load.
    crate::changes::record_everything(db)
        .await
        .map_err(|err| match err {
            crate::error::AppError::Internal(cause) => {
                KbError::Database(sea_orm::DbErr::Custom(format!("{cause:#}")))
            }
            other => KbError::Database(sea_orm::DbErr::Custom(other.to_string())),
        })?;
    if w.report == LoadReport::default() {
        return Err(KbError::Empty { files: files.all() });
    }
    Ok(w.report)
}

/// Checks a source's survey block and sets its columns.
fn with_survey(
    at: &At,
    mut row: sources::ActiveModel,
    survey: &SurveyEntry,
) -> Result<sources::ActiveModel, KbError> {
    for (field, date) in [("survey.start", &survey.start), ("survey.end", &survey.end)] {
        if crate::domain::IsoDate::parse(date).is_none() {
            return Err(at.err(
                field,
                format!("'{date}' is not a date of the form YYYY-MM-DD"),
            ));
        }
    }
    if survey.start > survey.end {
        return Err(at.err("survey.end", "the survey ends before it starts"));
    }
    let (issued, returned, valid) = (
        survey.questionnaires_issued,
        survey.questionnaires_returned,
        survey.questionnaires_valid,
    );
    if !(0 <= valid && valid <= returned && returned <= issued) {
        return Err(at.err(
            "survey.questionnaires_valid",
            "expected 0 <= valid <= returned <= issued",
        ));
    }
    if !(0.0..=100.0).contains(&survey.valid_rate) {
        return Err(at.err("survey.valid_rate", "a percentage lies between 0 and 100"));
    }
    let (sampling_zh, sampling_en) = at.text("survey.sampling", &survey.sampling)?;
    row.survey_start = Set(Some(survey.start.clone()));
    row.survey_end = Set(Some(survey.end.clone()));
    row.sampling_zh = Set(Some(sampling_zh));
    row.sampling_en = Set(Some(sampling_en));
    row.questionnaires_issued = Set(Some(issued));
    row.questionnaires_returned = Set(Some(returned));
    row.questionnaires_valid = Set(Some(valid));
    row.valid_rate = Set(Some(survey.valid_rate));
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::format::LinkDetail;

    fn at() -> At {
        At::new("measures.yaml", "measure", "skills")
    }

    fn field_of(err: KbError) -> String {
        match err {
            KbError::Entry { field, .. } => field,
            other => panic!("not an entry error: {other}"),
        }
    }

    fn text(zh: &str, en: &str) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    #[test]
    fn text_needs_both_languages_and_trims_them() {
        assert_eq!(
            at().text("title", &text(" 技能培训 ", "Skills ")).unwrap(),
            ("技能培训".to_string(), "Skills".to_string())
        );
        let missing = at().text("title", &text("技能培训", "  ")).unwrap_err();
        assert_eq!(field_of(missing), "title.en");
    }

    #[test]
    fn names_are_one_line_and_paragraphs_may_break() {
        let err = at()
            .text("title", &text("技能\n培训", "Skills"))
            .unwrap_err();
        assert_eq!(field_of(err), "title.zh");
        assert!(at().text("summary", &text("技能\n培训", "Skills")).is_ok());
        let nul = at()
            .text("summary", &text("技能\u{0}", "Skills"))
            .unwrap_err();
        assert_eq!(field_of(nul), "summary.zh");
    }

    #[test]
    fn a_link_is_stated_or_inferred_never_both_never_neither() {
        let bare = Link::Slug("lack-of-skills".into());
        assert_eq!(at().provenance("causes", &bare, 1).unwrap().citation, None);
        let stated = Link::with_provenance("lack-of-skills".into(), None, Some(0));
        assert_eq!(
            at().provenance("causes", &stated, 1).unwrap().citation,
            Some(0)
        );
        let past_the_end = Link::with_provenance("lack-of-skills".into(), None, Some(1));
        assert_eq!(
            field_of(at().provenance("causes", &past_the_end, 1).unwrap_err()),
            "causes.citation"
        );
        let both = Link::Detailed(LinkDetail {
            slug: "lack-of-skills".into(),
            citation: Some(0),
            rationale: Some(text("因", "why")),
        });
        assert_eq!(
            field_of(at().provenance("causes", &both, 1).unwrap_err()),
            "causes"
        );
        let neither = Link::Detailed(LinkDetail {
            slug: "lack-of-skills".into(),
            citation: None,
            rationale: None,
        });
        assert_eq!(
            field_of(at().provenance("causes", &neither, 1).unwrap_err()),
            "causes"
        );
        let inferred = Link::inferred("lack-of-skills".into(), text("因", "why"));
        let provenance = at().provenance("causes", &inferred, 1).unwrap();
        assert_eq!(provenance.rationale_en.as_deref(), Some("why"));
    }

    #[test]
    fn numbers_are_finite_and_years_plausible() {
        assert_eq!(at().number("value", 37.62).unwrap(), 37.62);
        assert_eq!(
            field_of(at().number("value", f64::NAN).unwrap_err()),
            "value"
        );
        assert_eq!(at().year(Some(2019)).unwrap(), Some(2019));
        assert_eq!(field_of(at().year(Some(19)).unwrap_err()), "year");
    }
}
