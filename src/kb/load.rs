//! Validating knowledge-base entries and writing them. Every rule failure names the file, the
//! entry and the field. The caller runs `load` inside a transaction, so a failure leaves the
//! database as it was.

use std::collections::HashMap;
use std::fmt;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

use entities::*;

use super::format::{CitationEntry, KnowledgeBase, Link, SurveyEntry, Text};
use super::{FileNames, KbError};
use crate::catalog::Table;
use crate::domain::{Respondent, Slug};

/// How long a verbatim excerpt may be, in characters.
pub const MAX_EXCERPT_CHARS: usize = 200;

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
        for (lang, value) in [("zh", &text.zh), ("en", &text.en)] {
            if value.trim().is_empty() {
                return Err(self.err(format!("{field}.{lang}"), "the translation is missing"));
            }
        }
        Ok((text.zh.trim().to_string(), text.en.trim().to_string()))
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

/// Slug-to-id maps of every table, seeded with the rows already in the database so that new
/// entries may refer to them.
struct Ids {
    by_kind: HashMap<&'static str, HashMap<String, i32>>,
}

impl Ids {
    async fn existing<C: ConnectionTrait>(db: &C) -> Result<Ids, KbError> {
        async fn slugs<E: Table, C: ConnectionTrait>(
            db: &C,
        ) -> Result<(&'static str, HashMap<String, i32>), KbError> {
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
        ]
        .into_iter()
        .collect();
        Ok(Ids { by_kind })
    }

    /// Checks a new entry's slug: well-formed and not taken.
    fn claim<E: Table>(&self, at: &At, raw: &str) -> Result<String, KbError> {
        let slug = Slug::parse(raw).map_err(|err| at.err("slug", err.to_string()))?;
        if self.get::<E>(slug.as_str()).is_some() {
            return Err(at.err(
                "slug",
                format!(
                    "duplicate slug: another {} is already called '{slug}'",
                    E::KIND
                ),
            ));
        }
        Ok(slug.to_string())
    }

    fn get<E: Table>(&self, slug: &str) -> Option<i32> {
        self.by_kind
            .get(E::KIND)
            .and_then(|ids| ids.get(slug))
            .copied()
    }

    fn insert<E: Table>(&mut self, slug: String, id: i32) {
        self.by_kind.entry(E::KIND).or_default().insert(slug, id);
    }

    fn resolve<E: Table>(&self, at: &At, field: &str, slug: &str) -> Result<i32, KbError> {
        self.get::<E>(slug).ok_or_else(|| {
            at.err(
                field,
                format!(
                    "dangling reference: there is no {} with slug '{slug}'",
                    E::KIND
                ),
            )
        })
    }

    fn resolve_optional<E: Table>(
        &self,
        at: &At,
        field: &str,
        slug: &Option<String>,
    ) -> Result<Option<i32>, KbError> {
        slug.as_deref()
            .map(|slug| self.resolve::<E>(at, field, slug))
            .transpose()
    }
}

struct Writer<'a, C> {
    db: &'a C,
    ids: Ids,
    report: LoadReport,
}

/// Called once per entry written, for progress bars.
pub type Progress<'a> = dyn FnMut(u64) + Send + 'a;

/// Inserts a new row and returns its id.
async fn insert<A, C>(db: &C, row: A) -> Result<i32, KbError>
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    C: ConnectionTrait,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    A::Entity: Table,
{
    let model = row.insert(db).await?;
    Ok(<A::Entity as Table>::id_of(&model))
}

impl<C: ConnectionTrait> Writer<'_, C> {
    async fn citations<E: Table>(
        &mut self,
        at: &At,
        entity_id: i32,
        entity_slug: &str,
        entries: &[CitationEntry],
    ) -> Result<(), KbError> {
        if entries.is_empty() {
            return Err(at.err(
                "citations",
                "every entry needs at least one citation of its source",
            ));
        }
        for (n, entry) in entries.iter().enumerate() {
            let field = format!("citations[{n}]");
            let source_id = match &entry.source {
                Some(slug) => {
                    self.ids
                        .resolve::<sources::Entity>(at, &format!("{field}.source"), slug)?
                }
                None => self.only_source(at, &field)?,
            };
            let (section_zh, section_en) = at.text(&format!("{field}.section"), &entry.section)?;
            let (excerpt_zh, excerpt_en) = at.text(&format!("{field}.excerpt"), &entry.excerpt)?;
            if excerpt_zh.chars().count() > MAX_EXCERPT_CHARS {
                return Err(at.err(
                    format!("{field}.excerpt.zh"),
                    format!("a verbatim excerpt may have at most {MAX_EXCERPT_CHARS} characters"),
                ));
            }
            let slug = format!("{}-{}-{}", E::KIND, entity_slug, n + 1);
            let row = citations::ActiveModel {
                id: NotSet,
                slug: Set(slug.clone()),
                version: Set(1),
                source_id: Set(source_id),
                entity_type: Set(E::KIND.to_string()),
                entity_id: Set(entity_id),
                section_zh: Set(section_zh),
                section_en: Set(section_en),
                figure: Set(entry.figure),
                excerpt_zh: Set(excerpt_zh),
                excerpt_en: Set(excerpt_en),
            };
            let id = insert(self.db, row).await?;
            self.ids.insert::<citations::Entity>(slug, id);
            self.report.citations += 1;
        }
        Ok(())
    }

    fn only_source(&self, at: &At, field: &str) -> Result<i32, KbError> {
        let sources = self
            .ids
            .by_kind
            .get(sources::Entity::KIND)
            .map(|ids| ids.values().copied().collect::<Vec<_>>())
            .unwrap_or_default();
        match sources.as_slice() {
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

    /// Writes the rows of a link table, checking each referenced slug.
    async fn links<T: Table, A>(
        &mut self,
        at: &At,
        field: &str,
        links: &[Link],
        row: impl Fn(i32, Option<String>, Option<String>) -> A,
    ) -> Result<(), KbError>
    where
        A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
        <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    {
        let mut seen = Vec::new();
        for (n, link) in links.iter().enumerate() {
            let target = self
                .ids
                .resolve::<T>(at, &format!("{field}[{n}]"), link.slug())?;
            if seen.contains(&target) {
                return Err(at.err(
                    format!("{field}[{n}]"),
                    format!("'{}' is listed twice", link.slug()),
                ));
            }
            seen.push(target);
            let (zh, en) = match link.rationale() {
                Some(text) => at
                    .text(&format!("{field}[{n}].rationale"), text)
                    .map(|(zh, en)| (Some(zh), Some(en)))?,
                None => (None, None),
            };
            row(target, zh, en).insert(self.db).await?;
            self.report.links += 1;
        }
        Ok(())
    }
}

/// Validates and writes every entry of `kb`; run it inside a transaction. `progress` hears of
/// each entry written.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    kb: &KnowledgeBase,
    files: &FileNames,
    progress: &mut Progress<'_>,
) -> Result<LoadReport, KbError> {
    let mut w = Writer {
        db,
        ids: Ids::existing(db).await?,
        report: LoadReport::default(),
    };

    for entry in &kb.sources {
        let at = At::new(&files.of("sources"), "source", &entry.slug);
        let slug = w.ids.claim::<sources::Entity>(&at, &entry.slug)?;
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
            Some(survey) => with_survey(&at, row, survey)?,
            None => row,
        };
        let id = insert(db, row).await?;
        w.ids.insert::<sources::Entity>(slug, id);
        w.report.sources += 1;
        progress(1);
    }

    for entry in &kb.dimensions {
        let at = At::new(&files.of("dimensions"), "dimension", &entry.slug);
        let slug = w.ids.claim::<dimensions::Entity>(&at, &entry.slug)?;
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let row = dimensions::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<dimensions::Entity>(slug.clone(), id);
        w.citations::<dimensions::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        w.report.dimensions += 1;
        progress(1);
    }

    // Regions and causes are trees: insert every row first, then point children at parents,
    // so that an entry may name a parent defined further down the file.
    let mut region_parents = Vec::new();
    for entry in &kb.regions {
        let at = At::new(&files.of("regions"), "region", &entry.slug);
        let slug = w.ids.claim::<regions::Entity>(&at, &entry.slug)?;
        if entry.level.trim().is_empty() {
            return Err(at.err("level", "the level is missing"));
        }
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (zone_zh, zone_en) = at.optional_text("zone", &entry.zone)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let row = regions::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            parent_id: Set(None),
            level: Set(entry.level.trim().to_string()),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            zone_zh: Set(zone_zh),
            zone_en: Set(zone_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<regions::Entity>(slug.clone(), id);
        w.citations::<regions::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        region_parents.push((id, entry));
        w.report.regions += 1;
        progress(1);
    }
    for (id, entry) in region_parents {
        let at = At::new(&files.of("regions"), "region", &entry.slug);
        if let Some(parent) =
            w.ids
                .resolve_optional::<regions::Entity>(&at, "parent", &entry.parent)?
        {
            if parent == id {
                return Err(at.err("parent", "a region cannot be its own parent"));
            }
            regions::Entity::update_many()
                .col_expr(regions::Column::ParentId, parent.into())
                .filter(regions::Column::Id.eq(id))
                .exec(db)
                .await?;
        }
        for indicator in &entry.indicators {
            let at = At::new(&files.of("regions"), "indicator", &indicator.slug);
            let slug = w.ids.claim::<indicators::Entity>(&at, &indicator.slug)?;
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
                unit_zh: Set(unit_zh),
                unit_en: Set(unit_en),
                year: Set(at.year(indicator.year)?),
                note_zh: Set(note_zh),
                note_en: Set(note_en),
            };
            let indicator_id = insert(db, row).await?;
            w.ids
                .insert::<indicators::Entity>(slug.clone(), indicator_id);
            w.citations::<indicators::Entity>(&at, indicator_id, &slug, &indicator.citations)
                .await?;
            w.report.indicators += 1;
            progress(1);
        }
    }

    let mut cause_parents = Vec::new();
    for entry in &kb.causes {
        let at = At::new(&files.of("causes"), "cause", &entry.slug);
        let slug = w.ids.claim::<causes::Entity>(&at, &entry.slug)?;
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let row = causes::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            parent_id: Set(None),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<causes::Entity>(slug.clone(), id);
        w.citations::<causes::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        w.links::<dimensions::Entity, _>(
            &at,
            "dimensions",
            &entry.dimensions,
            |dimension_id, rationale_zh, rationale_en| cause_dimensions::ActiveModel {
                cause_id: Set(id),
                dimension_id: Set(dimension_id),
                rationale_zh: Set(rationale_zh),
                rationale_en: Set(rationale_en),
            },
        )
        .await?;
        cause_parents.push((id, entry));
        w.report.causes += 1;
        progress(1);
    }
    for (id, entry) in cause_parents {
        let at = At::new(&files.of("causes"), "cause", &entry.slug);
        if let Some(parent) =
            w.ids
                .resolve_optional::<causes::Entity>(&at, "parent", &entry.parent)?
        {
            if parent == id {
                return Err(at.err("parent", "a cause cannot be its own parent"));
            }
            causes::Entity::update_many()
                .col_expr(causes::Column::ParentId, parent.into())
                .filter(causes::Column::Id.eq(id))
                .exec(db)
                .await?;
        }
    }

    for entry in &kb.strategies {
        let at = At::new(&files.of("strategies"), "strategy", &entry.slug);
        let slug = w.ids.claim::<strategies::Entity>(&at, &entry.slug)?;
        let (name_zh, name_en) = at.text("name", &entry.name)?;
        let (aim_zh, aim_en) = at.text("aim", &entry.aim)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let row = strategies::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            position: Set(entry.position),
            dimension_id: Set(w.ids.resolve_optional::<dimensions::Entity>(
                &at,
                "dimension",
                &entry.dimension,
            )?),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            aim_zh: Set(aim_zh),
            aim_en: Set(aim_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<strategies::Entity>(slug.clone(), id);
        w.citations::<strategies::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        w.report.strategies += 1;
        progress(1);
    }

    for entry in &kb.measures {
        let at = At::new(&files.of("measures"), "measure", &entry.slug);
        let slug = w.ids.claim::<measures::Entity>(&at, &entry.slug)?;
        let (title_zh, title_en) = at.text("title", &entry.title)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let row = measures::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            strategy_id: Set(w.ids.resolve::<strategies::Entity>(
                &at,
                "strategy",
                &entry.strategy,
            )?),
            title_zh: Set(title_zh),
            title_en: Set(title_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<measures::Entity>(slug.clone(), id);
        w.citations::<measures::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        w.links::<causes::Entity, _>(
            &at,
            "causes",
            &entry.causes,
            |cause_id, rationale_zh, rationale_en| measure_causes::ActiveModel {
                measure_id: Set(id),
                cause_id: Set(cause_id),
                rationale_zh: Set(rationale_zh),
                rationale_en: Set(rationale_en),
            },
        )
        .await?;
        w.report.measures += 1;
        progress(1);
    }

    for entry in &kb.cases {
        let at = At::new(&files.of("cases"), "case", &entry.slug);
        let slug = w.ids.claim::<cases::Entity>(&at, &entry.slug)?;
        let (title_zh, title_en) = at.text("title", &entry.title)?;
        let (summary_zh, summary_en) = at.optional_text("summary", &entry.summary)?;
        let (actions_zh, actions_en) = at.optional_text("actions", &entry.actions)?;
        let (outcomes_zh, outcomes_en) = at.optional_text("outcomes", &entry.outcomes)?;
        let row = cases::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            region_id: Set(w.ids.resolve_optional::<regions::Entity>(
                &at,
                "region",
                &entry.region,
            )?),
            year: Set(at.year(entry.year)?),
            title_zh: Set(title_zh),
            title_en: Set(title_en),
            summary_zh: Set(summary_zh),
            summary_en: Set(summary_en),
            actions_zh: Set(actions_zh),
            actions_en: Set(actions_en),
            outcomes_zh: Set(outcomes_zh),
            outcomes_en: Set(outcomes_en),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<cases::Entity>(slug.clone(), id);
        w.citations::<cases::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        w.links::<measures::Entity, _>(
            &at,
            "measures",
            &entry.measures,
            |measure_id, rationale_zh, rationale_en| case_measures::ActiveModel {
                case_id: Set(id),
                measure_id: Set(measure_id),
                rationale_zh: Set(rationale_zh),
                rationale_en: Set(rationale_en),
            },
        )
        .await?;
        w.report.cases += 1;
        progress(1);
    }

    for entry in &kb.statistics {
        let at = At::new(&files.of("statistics"), "statistic", &entry.slug);
        let slug = w.ids.claim::<statistics::Entity>(&at, &entry.slug)?;
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
        let row = statistics::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            figure: Set(entry.figure),
            series_zh: Set(series_zh),
            series_en: Set(series_en),
            label_zh: Set(label_zh),
            label_en: Set(label_en),
            value: Set(at.number("value", entry.value)?),
            unit_zh: Set(unit_zh),
            unit_en: Set(unit_en),
            respondent: Set(respondent),
            sample: Set(entry.sample),
            cause_id: Set(w
                .ids
                .resolve_optional::<causes::Entity>(&at, "cause", &entry.cause)?),
            dimension_id: Set(w.ids.resolve_optional::<dimensions::Entity>(
                &at,
                "dimension",
                &entry.dimension,
            )?),
            region_id: Set(w.ids.resolve_optional::<regions::Entity>(
                &at,
                "region",
                &entry.region,
            )?),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<statistics::Entity>(slug.clone(), id);
        w.citations::<statistics::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        w.report.statistics += 1;
        progress(1);
    }

    for entry in &kb.glossary {
        let at = At::new(&files.of("glossary"), "glossary term", &entry.slug);
        let slug = w.ids.claim::<glossary_terms::Entity>(&at, &entry.slug)?;
        for (field, value) in [
            ("term", &entry.term),
            ("pinyin", &entry.pinyin),
            ("english", &entry.english),
        ] {
            if value.trim().is_empty() {
                return Err(at.err(field, "must not be empty"));
            }
        }
        let (explanation_zh, explanation_en) = at.text("explanation", &entry.explanation)?;
        let row = glossary_terms::ActiveModel {
            id: NotSet,
            slug: Set(slug.clone()),
            version: Set(1),
            term: Set(entry.term.trim().to_string()),
            pinyin: Set(entry.pinyin.trim().to_string()),
            english: Set(entry.english.trim().to_string()),
            explanation_zh: Set(explanation_zh),
            explanation_en: Set(explanation_en),
        };
        let id = insert(db, row).await?;
        w.ids.insert::<glossary_terms::Entity>(slug.clone(), id);
        w.citations::<glossary_terms::Entity>(&at, id, &slug, &entry.citations)
            .await?;
        w.report.glossary += 1;
        progress(1);
    }

    crate::catalog::bump_data_version(db)
        .await
        .map_err(|err| match err {
            crate::error::AppError::Internal(cause) => {
                KbError::Database(sea_orm::DbErr::Custom(format!("{cause:#}")))
            }
            other => KbError::Database(sea_orm::DbErr::Custom(other.to_string())),
        })?;
    Ok(w.report)
}

/// Checks a source's survey block and sets its columns.
fn with_survey(
    at: &At,
    mut row: sources::ActiveModel,
    survey: &SurveyEntry,
) -> Result<sources::ActiveModel, KbError> {
    for (field, date) in [("survey.start", &survey.start), ("survey.end", &survey.end)] {
        if !is_iso_date(date) {
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

/// `YYYY-MM-DD` with a plausible month and day.
fn is_iso_date(raw: &str) -> bool {
    let parts: Vec<&str> = raw.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let number = |s: &str| s.parse::<u32>().ok();
            matches!(
                (number(y), number(m), number(d)),
                (Some(1900..=2100), Some(1..=12), Some(1..=31))
            )
        }
        _ => false,
    }
}
