//! Reading the whole knowledge base back out of the database, in the file format, so that an
//! export can be imported into an empty database and reproduce it.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use entities::*;

use super::format::*;
use super::load::Record;
use super::KbError;
use crate::catalog::tables::{CausesOfMeasure, DimensionsOfCause, Linked, MeasuresOfCase};
use crate::catalog::Table;
use crate::domain::RecordKind;

fn text(zh: &str, en: &str) -> Text {
    Text {
        zh: zh.to_string(),
        en: en.to_string(),
    }
}

fn maybe(zh: &Option<String>, en: &Option<String>) -> Option<Text> {
    match (zh, en) {
        (Some(zh), Some(en)) => Some(text(zh, en)),
        _ => None,
    }
}

fn link(slug: &str, zh: &Option<String>, en: &Option<String>, citation: Option<i32>) -> Link {
    Link::with_provenance(slug.to_string(), maybe(zh, en), citation)
}

/// Which rows a dump holds: all, or one record (`kind`, `id`) with what it owns.
#[derive(Clone, Copy)]
struct Scope(Option<(RecordKind, i32)>);

impl Scope {
    /// Whether rows of `kind` owned by the record `owner` are in scope, and if so which owner.
    fn owner(self, kind: RecordKind) -> Option<Option<i32>> {
        match self.0 {
            None => Some(None),
            Some((k, id)) if k == kind => Some(Some(id)),
            Some(_) => None,
        }
    }
}

async fn all<E: Table, C: ConnectionTrait>(db: &C, scope: Scope) -> Result<Vec<E::Model>, KbError> {
    let query = E::find().order_by_asc(E::id_column());
    Ok(match scope.owner(E::KIND) {
        None => Vec::new(),
        Some(None) => query.all(db).await?,
        Some(Some(id)) => query.filter(E::id_column().eq(id)).all(db).await?,
    })
}

/// The slugs of rows of `E` by id (references are written as slugs whatever the scope): every
/// row's for a whole dump, only those of `ids` for one record, so that reading a record for an
/// edit costs what the record refers to, not what the tables hold.
async fn slugs<E: Table, C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, String>, KbError> {
    let mut query = E::find()
        .select_only()
        .column(E::id_column())
        .column(E::slug_column());
    if scope.0.is_some() {
        let ids: BTreeSet<i32> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        query = query.filter(E::id_column().is_in(ids));
    }
    let rows: Vec<(i32, String)> = query.into_tuple().all(db).await?;
    Ok(rows.into_iter().collect())
}

/// The rows of relation `L` that the records in scope own (`owner_kind`), in (owner, target)
/// order.
async fn link_rows<L: Linked, C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    owner_kind: RecordKind,
) -> Result<Vec<<L::Link as EntityTrait>::Model>, KbError> {
    let query = L::Link::find();
    let mut rows = match scope.owner(owner_kind) {
        None => Vec::new(),
        Some(None) => query.all(db).await?,
        Some(Some(id)) => query.filter(L::from_column().eq(id)).all(db).await?,
    };
    rows.sort_by_key(L::ends);
    Ok(rows)
}

/// The ids the rows of `L` point at.
fn link_targets<L: Linked>(
    rows: &[<L::Link as EntityTrait>::Model],
) -> impl Iterator<Item = i32> + '_ {
    rows.iter().map(|row| L::ends(row).1)
}

/// Link rows of `L` as file links by owner id; a link to a record not in `targets` is left out.
fn links_by_owner<L: Linked>(
    rows: Vec<<L::Link as EntityTrait>::Model>,
    targets: &HashMap<i32, String>,
) -> HashMap<i32, Vec<Link>> {
    let mut by_owner: HashMap<i32, Vec<Link>> = HashMap::new();
    for row in rows {
        let (owner, target) = L::ends(&row);
        if let Some(slug) = targets.get(&target) {
            let provenance = L::provenance(&row);
            let rationale = provenance.rationale.map(|(zh, en)| Text { zh, en });
            by_owner
                .entry(owner)
                .or_default()
                .push(Link::with_provenance(
                    slug.clone(),
                    rationale,
                    provenance.citation,
                ));
        }
    }
    by_owner
}

struct Citations {
    by_entity: HashMap<(String, i32), Vec<CitationEntry>>,
}

impl Citations {
    /// The citations of the records in scope and of the `indicators` they own.
    async fn rows<C: ConnectionTrait>(
        db: &C,
        scope: Scope,
        indicators: &[i32],
    ) -> Result<Vec<citations::Model>, KbError> {
        let mut query = citations::Entity::find().order_by_asc(citations::Column::Id);
        if let Some((kind, id)) = scope.0 {
            query = query.filter(
                Condition::any()
                    .add(
                        citations::Column::EntityType
                            .eq(kind.name())
                            .and(citations::Column::EntityId.eq(id)),
                    )
                    .add(
                        citations::Column::EntityType
                            .eq(indicators::Entity::KIND.name())
                            .and(citations::Column::EntityId.is_in(indicators.iter().copied())),
                    ),
            );
        }
        Ok(query.all(db).await?)
    }

    /// Citation rows as file entries by owner, each naming its source by slug.
    fn new(rows: Vec<citations::Model>, sources: &HashMap<i32, String>) -> Citations {
        let mut by_entity: HashMap<(String, i32), Vec<CitationEntry>> = HashMap::new();
        for row in rows {
            by_entity
                .entry((row.entity_type.clone(), row.entity_id))
                .or_default()
                .push(CitationEntry {
                    // Written out always, so that an export stays importable next to other sources.
                    source: sources.get(&row.source_id).cloned(),
                    section: text(&row.section_zh, &row.section_en),
                    figure: row.figure,
                    excerpt: text(&row.excerpt_zh, &row.excerpt_en),
                });
        }
        Citations { by_entity }
    }

    fn of<E: Table>(&mut self, id: i32) -> Vec<CitationEntry> {
        self.by_entity
            .remove(&(E::KIND.name().to_string(), id))
            .unwrap_or_default()
    }
}

/// The aliases of the records in scope, by record.
struct Named {
    by_entity: HashMap<(RecordKind, i32), Aliases>,
}

impl Named {
    async fn load<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<Named, KbError> {
        let mut by_entity = HashMap::new();
        for kind in RecordKind::ALIASED {
            let ids = match scope.owner(kind) {
                None => continue,
                Some(None) => None,
                Some(Some(id)) => Some(vec![id]),
            };
            for (id, list) in super::aliases::of_kind(db, kind, ids.as_deref()).await? {
                by_entity.insert((kind, id), list);
            }
        }
        Ok(Named { by_entity })
    }

    fn of<E: Table>(&mut self, id: i32) -> Aliases {
        self.by_entity.remove(&(E::KIND, id)).unwrap_or_default()
    }
}

fn slug_of(slugs: &HashMap<i32, String>, id: Option<i32>) -> Option<String> {
    id.and_then(|id| slugs.get(&id).cloned())
}

/// The whole knowledge base, in id order.
pub async fn dump<C: ConnectionTrait>(db: &C) -> Result<KnowledgeBase, KbError> {
    dump_scoped(db, Scope(None)).await
}

/// One record of `kind` (`region`, `cause`, `measure`, `case` or `statistic`) as it is now,
/// or `None` if there is no such record.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i32,
) -> Result<Option<Record>, KbError> {
    let kb = dump_scoped(db, Scope(Some((kind, id)))).await?;
    Ok(match kind {
        RecordKind::Region => kb.regions.into_iter().next().map(Record::Region),
        RecordKind::Cause => kb.causes.into_iter().next().map(Record::Cause),
        RecordKind::Measure => kb.measures.into_iter().next().map(Record::Measure),
        RecordKind::Case => kb.cases.into_iter().next().map(Record::Case),
        RecordKind::Statistic => kb.statistics.into_iter().next().map(Record::Statistic),
        _ => None,
    })
}

async fn dump_scoped<C: ConnectionTrait>(db: &C, scope: Scope) -> Result<KnowledgeBase, KbError> {
    let sources = all::<sources::Entity, C>(db, scope).await?;
    let regions = all::<regions::Entity, C>(db, scope).await?;
    let dimensions = all::<dimensions::Entity, C>(db, scope).await?;
    let causes = all::<causes::Entity, C>(db, scope).await?;
    let strategies = all::<strategies::Entity, C>(db, scope).await?;
    let measures = all::<measures::Entity, C>(db, scope).await?;
    let cases = all::<cases::Entity, C>(db, scope).await?;
    let statistics = all::<statistics::Entity, C>(db, scope).await?;
    let cause_dimensions = link_rows::<DimensionsOfCause, C>(db, scope, RecordKind::Cause).await?;
    let measure_causes = link_rows::<CausesOfMeasure, C>(db, scope, RecordKind::Measure).await?;
    let case_measures = link_rows::<MeasuresOfCase, C>(db, scope, RecordKind::Case).await?;
    let mut indicator_query = indicators::Entity::find().order_by_asc(indicators::Column::Id);
    match scope.owner(regions::Entity::KIND) {
        None => indicator_query = indicator_query.filter(indicators::Column::Id.lt(0)),
        Some(None) => {}
        Some(Some(region)) => {
            indicator_query = indicator_query.filter(indicators::Column::RegionId.eq(region))
        }
    }
    let indicator_rows = indicator_query.all(db).await?;
    let mut actor_query = actors::Entity::find().order_by_asc(actors::Column::Id);
    match scope.owner(cases::Entity::KIND) {
        None => actor_query = actor_query.filter(actors::Column::Id.lt(0)),
        Some(None) => {}
        Some(Some(case)) => actor_query = actor_query.filter(actors::Column::CaseId.eq(case)),
    }
    let mut actors_of: HashMap<i32, Vec<ActorEntry>> = HashMap::new();
    for row in actor_query.all(db).await? {
        actors_of.entry(row.case_id).or_default().push(ActorEntry {
            slug: row.slug,
            kind: row.kind,
            name: text(&row.name_zh, &row.name_en),
            role: maybe(&row.role_zh, &row.role_en),
        });
    }
    let indicator_ids: Vec<i32> = indicator_rows.iter().map(|row| row.id).collect();
    let citation_rows = Citations::rows(db, scope, &indicator_ids).await?;

    // The slugs of what the rows in scope refer to.
    let source_slugs =
        slugs::<sources::Entity, C>(db, scope, citation_rows.iter().map(|c| c.source_id)).await?;
    let region_parents = regions.iter().filter_map(|r| r.parent_id);
    let case_regions = cases.iter().filter_map(|c| c.region_id);
    let statistic_regions = statistics.iter().filter_map(|s| s.region_id);
    let region_slugs = slugs::<regions::Entity, C>(
        db,
        scope,
        region_parents.chain(case_regions).chain(statistic_regions),
    )
    .await?;
    let strategy_dimensions = strategies.iter().filter_map(|s| s.dimension_id);
    let statistic_dimensions = statistics.iter().filter_map(|s| s.dimension_id);
    let dimension_slugs = slugs::<dimensions::Entity, C>(
        db,
        scope,
        strategy_dimensions
            .chain(statistic_dimensions)
            .chain(link_targets::<DimensionsOfCause>(&cause_dimensions)),
    )
    .await?;
    let cause_parents = causes.iter().filter_map(|c| c.parent_id);
    let statistic_causes = statistics.iter().filter_map(|s| s.cause_id);
    let cause_slugs = slugs::<causes::Entity, C>(
        db,
        scope,
        cause_parents
            .chain(statistic_causes)
            .chain(link_targets::<CausesOfMeasure>(&measure_causes)),
    )
    .await?;
    let strategy_slugs =
        slugs::<strategies::Entity, C>(db, scope, measures.iter().map(|m| m.strategy_id)).await?;
    let measure_slugs =
        slugs::<measures::Entity, C>(db, scope, link_targets::<MeasuresOfCase>(&case_measures))
            .await?;

    let mut cited = Citations::new(citation_rows, &source_slugs);
    let mut named = Named::load(db, scope).await?;

    let mut indicators_of: HashMap<i32, Vec<IndicatorEntry>> = HashMap::new();
    for row in indicator_rows {
        let entry = IndicatorEntry {
            citations: cited.of::<indicators::Entity>(row.id),
            slug: row.slug,
            name: text(&row.name_zh, &row.name_en),
            value: row.value,
            qualifier: row.qualifier,
            unit: text(&row.unit_zh, &row.unit_en),
            year: row.year,
            note: maybe(&row.note_zh, &row.note_en),
        };
        indicators_of.entry(row.region_id).or_default().push(entry);
    }
    let mut dimensions_of = links_by_owner::<DimensionsOfCause>(cause_dimensions, &dimension_slugs);
    let mut causes_of = links_by_owner::<CausesOfMeasure>(measure_causes, &cause_slugs);
    let mut measures_of = links_by_owner::<MeasuresOfCase>(case_measures, &measure_slugs);

    Ok(KnowledgeBase {
        sources: sources
            .into_iter()
            .map(|row| SourceEntry {
                survey: survey(&row),
                slug: row.slug,
                title: text(&row.title_zh, &row.title_en),
                authors: text(&row.authors_zh, &row.authors_en),
                institution: text(&row.institution_zh, &row.institution_en),
                year: row.year,
                citation: text(&row.citation_zh, &row.citation_en),
                summary: maybe(&row.summary_zh, &row.summary_en),
            })
            .collect(),
        regions: regions
            .into_iter()
            .map(|row| RegionEntry {
                parent: slug_of(&region_slugs, row.parent_id),
                indicators: indicators_of.remove(&row.id).unwrap_or_default(),
                citations: cited.of::<regions::Entity>(row.id),
                slug: row.slug,
                level: row.level,
                name: text(&row.name_zh, &row.name_en),
                zone: maybe(&row.zone_zh, &row.zone_en),
                summary: maybe(&row.summary_zh, &row.summary_en),
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
        dimensions: dimensions
            .into_iter()
            .map(|row| DimensionEntry {
                aliases: named.of::<dimensions::Entity>(row.id),
                citations: cited.of::<dimensions::Entity>(row.id),
                slug: row.slug,
                name: text(&row.name_zh, &row.name_en),
                summary: maybe(&row.summary_zh, &row.summary_en),
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
        causes: causes
            .into_iter()
            .map(|row| CauseEntry {
                aliases: named.of::<causes::Entity>(row.id),
                parent: slug_of(&cause_slugs, row.parent_id),
                dimensions: dimensions_of.remove(&row.id).unwrap_or_default(),
                citations: cited.of::<causes::Entity>(row.id),
                slug: row.slug,
                name: text(&row.name_zh, &row.name_en),
                summary: maybe(&row.summary_zh, &row.summary_en),
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
        strategies: strategies
            .into_iter()
            .map(|row| StrategyEntry {
                aliases: named.of::<strategies::Entity>(row.id),
                dimension: slug_of(&dimension_slugs, row.dimension_id),
                citations: cited.of::<strategies::Entity>(row.id),
                slug: row.slug,
                position: row.position,
                name: text(&row.name_zh, &row.name_en),
                aim: text(&row.aim_zh, &row.aim_en),
                summary: maybe(&row.summary_zh, &row.summary_en),
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
        measures: measures
            .into_iter()
            .map(|row| MeasureEntry {
                aliases: named.of::<measures::Entity>(row.id),
                strategy: strategy_slugs
                    .get(&row.strategy_id)
                    .cloned()
                    .unwrap_or_default(),
                causes: causes_of.remove(&row.id).unwrap_or_default(),
                citations: cited.of::<measures::Entity>(row.id),
                slug: row.slug,
                title: text(&row.title_zh, &row.title_en),
                summary: maybe(&row.summary_zh, &row.summary_en),
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
        cases: cases
            .into_iter()
            .map(|row| CaseEntry {
                region: slug_of(&region_slugs, row.region_id),
                measures: measures_of.remove(&row.id).unwrap_or_default(),
                actors: actors_of.remove(&row.id).unwrap_or_default(),
                citations: cited.of::<cases::Entity>(row.id),
                slug: row.slug,
                year: row.year,
                title: text(&row.title_zh, &row.title_en),
                summary: maybe(&row.summary_zh, &row.summary_en),
                actions: maybe(&row.actions_zh, &row.actions_en),
                outcomes: maybe(&row.outcomes_zh, &row.outcomes_en),
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
        statistics: statistics
            .into_iter()
            .map(|row| StatisticEntry {
                cause: slug_of(&cause_slugs, row.cause_id).map(|slug| {
                    link(
                        &slug,
                        &row.cause_rationale_zh,
                        &row.cause_rationale_en,
                        row.cause_citation,
                    )
                }),
                dimension: slug_of(&dimension_slugs, row.dimension_id).map(|slug| {
                    link(
                        &slug,
                        &row.dimension_rationale_zh,
                        &row.dimension_rationale_en,
                        row.dimension_citation,
                    )
                }),
                region: slug_of(&region_slugs, row.region_id),
                citations: cited.of::<statistics::Entity>(row.id),
                slug: row.slug,
                figure: row.figure,
                series: maybe(&row.series_zh, &row.series_en),
                label: text(&row.label_zh, &row.label_en),
                value: row.value,
                qualifier: row.qualifier,
                unit: text(&row.unit_zh, &row.unit_en),
                respondent: row.respondent,
                question: maybe(&row.question_zh, &row.question_en),
                multiple_answers: row.multiple_answers,
                base: maybe(&row.base_zh, &row.base_en),
                sample: row.sample,
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
        glossary: all::<glossary_terms::Entity, C>(db, scope)
            .await?
            .into_iter()
            .map(|row| GlossaryEntry {
                aliases: named.of::<glossary_terms::Entity>(row.id),
                citations: cited.of::<glossary_terms::Entity>(row.id),
                slug: row.slug,
                term: row.term,
                pinyin: row.pinyin,
                english: row.english,
                explanation: text(&row.explanation_zh, &row.explanation_en),
                outside: maybe(&row.outside_zh, &row.outside_en),
            })
            .collect(),
    })
}

fn survey(row: &sources::Model) -> Option<SurveyEntry> {
    Some(SurveyEntry {
        start: row.survey_start.clone()?,
        end: row.survey_end.clone()?,
        sampling: maybe(&row.sampling_zh, &row.sampling_en)?,
        questionnaires_issued: row.questionnaires_issued?,
        questionnaires_returned: row.questionnaires_returned?,
        questionnaires_valid: row.questionnaires_valid?,
        valid_rate: row.valid_rate?,
    })
}
