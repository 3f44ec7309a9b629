//! What the index holds for each record: its texts (title, summary, body in both languages) and
//! its facets, built from the database. The facets follow the same links as the catalog's
//! filters, so `search(filter:)` and `cases(filter:)` agree on what "in Fuling" or "under the
//! industry prong" means.
//!
//! Each document also lists the records it was built from (`deps`), so that the indexer, told
//! that a record changed, can find every document that has to be rebuilt with it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entities::*;

use super::FacetField;
use crate::domain::EntryKind;
use crate::error::AppResult;
use crate::graph::Graph;
use crate::kb::Aliases;

/// How many related records' titles a body carries (in id order, so the source's own cases come
/// first). Without a cap, a measure with thousands of cases gets a body of hundreds of kilobytes,
/// which ranks it for any common word and makes every highlight of it slow.
const MAX_RELATED_TITLES: usize = 20;

/// One record as the index sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchDocument {
    pub kind: EntryKind,
    pub id: i32,
    pub slug: String,
    pub title: (String, String),
    pub summary: (String, String),
    pub body: (String, String),
    /// Other names of the record (its aliases; a glossary term's pinyin), one per line.
    pub aliases: (String, String),
    /// Slugs by facet field (`strategy`, `dimension`, `cause`, `region`).
    pub facets: Facets,
    /// The keys (`kind:id`) of every record read to build this one, its own included.
    pub deps: BTreeSet<String>,
}

impl SearchDocument {
    /// A small case document, for the index's own tests.
    #[cfg(test)]
    pub fn sample() -> SearchDocument {
        SearchDocument {
            kind: EntryKind::Case,
            id: 1,
            slug: "one-chicken".into(),
            title: ("养鸡产业链".into(), "chicken chain".into()),
            summary: Default::default(),
            body: Default::default(),
            aliases: Default::default(),
            facets: Default::default(),
            deps: Default::default(),
        }
    }

    pub fn key(&self) -> String {
        key(self.kind, self.id)
    }
}

/// The index key of a record: `kind:id`.
pub fn key(kind: EntryKind, id: i32) -> String {
    format!("{}:{id}", kind.as_str())
}

/// The dependency key of the records that refer to a record (`kind:id/referrers`): the cases
/// of a measure, the measures of a cause or a prong, the cases in a region. A document that
/// lists them depends on this key; one that reads only the record's own fields and links
/// depends on `key`. An edit that only links another record to this one changes the first and
/// not the second (the change log calls it `related`), so a link to a measure that 100,000
/// cases apply rebuilds the measure's document and not theirs.
pub fn referrers_key(kind: EntryKind, id: i32) -> String {
    format!("{}/referrers", key(kind, id))
}

/// A document's facets: (field, slug) pairs.
pub type Facets = BTreeSet<(FacetField, String)>;

/// Collects the keys of the records a document is built from.
#[derive(Default)]
struct Deps(BTreeSet<String>);

impl Deps {
    fn of(kind: EntryKind, id: i32) -> Deps {
        let mut deps = Deps::default();
        deps.add(kind, id);
        deps
    }

    fn add(&mut self, kind: EntryKind, id: i32) {
        self.0.insert(key(kind, id));
    }

    /// The document lists the records that refer to `kind:id`.
    fn add_referrers(&mut self, kind: EntryKind, id: i32) {
        self.0.insert(referrers_key(kind, id));
    }
}

#[derive(Default)]
struct Texts {
    zh: Vec<String>,
    en: Vec<String>,
}

impl Texts {
    fn add(&mut self, zh: &str, en: &str) {
        self.zh.push(zh.to_string());
        self.en.push(en.to_string());
    }

    fn maybe(&mut self, zh: &Option<String>, en: &Option<String>) {
        if let (Some(zh), Some(en)) = (zh, en) {
            self.add(zh, en);
        }
    }

    fn joined(self) -> (String, String) {
        (self.zh.join("\n"), self.en.join("\n"))
    }
}

/// A record's aliases as the index holds them: one per line, per language.
fn lines(aliases: Option<&Aliases>) -> (String, String) {
    aliases.map_or_else(Default::default, |a| (a.zh.join("\n"), a.en.join("\n")))
}

/// Pinyin without tone marks (děng kào yào -> deng kao yao), as planners type it.
fn plain_pinyin(pinyin: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    pinyin
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .collect()
}

fn opt(zh: &Option<String>, en: &Option<String>) -> (String, String) {
    (
        zh.clone().unwrap_or_default(),
        en.clone().unwrap_or_default(),
    )
}

/// The documents of the records with these keys (those that still exist). Only these are
/// built, and only the cases, actors and citations they reach are read; the rest comes from the
/// graph.
pub async fn for_keys(
    db: &DatabaseConnection,
    graph: &Graph,
    keys: &BTreeSet<String>,
) -> AppResult<Vec<SearchDocument>> {
    build(db, graph, Some(keys)).await
}

/// Every searchable record of the database.
pub async fn from_database(
    db: &DatabaseConnection,
    graph: &Graph,
) -> AppResult<Vec<SearchDocument>> {
    build(db, graph, None).await
}

/// Every searchable record's document, built one at a time as a consumer takes them: a rebuild
/// indexes each as it comes instead of holding them all (1.4 GB at 100,000 cases, so 12 GB at a
/// million), and builds the next while the index writer's threads take the last.
pub struct AllDocuments {
    graph: Arc<Graph>,
    reach: Reach,
}

impl AllDocuments {
    /// Reads what the documents need beside the graph (the database's part of a build).
    pub async fn load(db: &DatabaseConnection, graph: Arc<Graph>) -> AppResult<AllDocuments> {
        let reach = Reach::load(db, &graph, None).await?;
        Ok(AllDocuments { graph, reach })
    }

    /// How many documents `each` hands over.
    pub fn len(&self) -> usize {
        let g = &self.graph;
        self.reach.cases.len()
            + g.measures.len()
            + g.causes.len()
            + g.strategies.len()
            + g.dimensions.len()
            + g.regions.len()
            + g.statistics.len()
            + g.glossary.len()
    }

    /// Hands every document to `take`, in the order of `from_database`; stops at its first error.
    pub fn each<E>(self, take: impl FnMut(SearchDocument) -> Result<(), E>) -> Result<(), E> {
        let AllDocuments { graph, reach } = self;
        let mut builder = Builder { g: &graph, reach };
        builder.each(&|_, _| true, take)
    }
}

/// The citations of the records `only` names (every citation when `None`).
async fn citations_of(
    db: &DatabaseConnection,
    only: Option<&BTreeSet<String>>,
) -> AppResult<Vec<citations::Model>> {
    let Some(only) = only else {
        return Ok(citations::Entity::find()
            .order_by_asc(citations::Column::Id)
            .all(db)
            .await?);
    };
    let mut found = Vec::new();
    for kind in EntryKind::ALL {
        let rows =
            rows_where::<citations::Entity>(db, citations::Column::EntityId, &ids_of(only, kind))
                .await?;
        found.extend(rows.into_iter().filter(|c| c.entity_type == kind.as_str()));
    }
    // A record's excerpts in citation order, as the full build has them.
    found.sort_by_key(|citation| citation.id);
    Ok(found)
}

/// The ids of kind `kind` among `keys`.
fn ids_of(keys: &BTreeSet<String>, kind: EntryKind) -> Vec<i32> {
    keys.iter()
        .filter_map(|key| {
            key.strip_prefix(kind.as_str())?
                .strip_prefix(':')?
                .parse()
                .ok()
        })
        .collect()
}

/// Rows of `E` whose `column` is one of `ids`, in chunks (a statement has a bounded number of
/// parameters).
async fn rows_where<E: EntityTrait>(
    db: &DatabaseConnection,
    column: E::Column,
    ids: &[i32],
) -> AppResult<Vec<E::Model>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            E::find()
                .filter(column.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(rows)
}

/// What a build reads beside the graph: the cases it reaches with their measure links and
/// actors, and the excerpts of the records it builds.
#[derive(Default)]
struct Reach {
    /// The cases whose documents are built, and the cases in the regions whose are.
    cases: BTreeMap<i32, cases::Model>,
    measures_of_case: HashMap<i32, Vec<i32>>,
    /// What a measure's document (and its causes') reads of the cases that apply it: their
    /// regions and the first of them. Asked of the database per measure, so that a measure
    /// that 100,000 cases apply costs two statements, not 100,000 rows.
    applied: HashMap<i32, Applied>,
    /// The names of the people and organisations a case names: other names of the case, so
    /// that a search for a company or a person finds its case.
    actors_of: HashMap<i32, (Vec<String>, Vec<String>)>,
    excerpts: HashMap<(EntryKind, i32), Texts>,
}

/// The cases that apply a measure, as its document reads them.
#[derive(Default)]
struct Applied {
    /// The regions they are in (`None` for a case with no region), in id order.
    regions: Vec<i32>,
    /// The first `MAX_RELATED_TITLES` of them, in id order (the source's own cases first).
    first: Vec<cases::Model>,
}

impl Applied {
    async fn load(db: &DatabaseConnection, measure: i32) -> AppResult<Applied> {
        let applying = || {
            sea_orm::sea_query::Query::select()
                .column(case_measures::Column::CaseId)
                .from(case_measures::Entity)
                .and_where(case_measures::Column::MeasureId.eq(measure))
                .to_owned()
        };
        let regions: Vec<Option<i32>> = cases::Entity::find()
            .select_only()
            .column(cases::Column::RegionId)
            .distinct()
            .filter(cases::Column::Id.in_subquery(applying()))
            .into_tuple()
            .all(db)
            .await?;
        let mut regions: Vec<i32> = regions.into_iter().flatten().collect();
        regions.sort_unstable();
        let first = cases::Entity::find()
            .filter(cases::Column::Id.in_subquery(applying()))
            .order_by_asc(cases::Column::Id)
            .limit(MAX_RELATED_TITLES as u64)
            .all(db)
            .await?;
        Ok(Applied { regions, first })
    }
}

impl Reach {
    async fn load(
        db: &DatabaseConnection,
        graph: &Graph,
        only: Option<&BTreeSet<String>>,
    ) -> AppResult<Reach> {
        let (cases, links) = cases_of(db, only).await?;
        let case_ids: Vec<i32> = cases.iter().map(|case| case.id).collect();
        let actors = match only {
            None => actors::Entity::find().all(db).await?,
            Some(_) => rows_where::<actors::Entity>(db, actors::Column::CaseId, &case_ids).await?,
        };
        let mut reach = Reach {
            cases: cases.into_iter().map(|case| (case.id, case)).collect(),
            ..Reach::default()
        };
        for link in links {
            reach
                .measures_of_case
                .entry(link.case_id)
                .or_default()
                .push(link.measure_id);
        }
        for measure in measures_reached(graph, only) {
            reach
                .applied
                .insert(measure, Applied::load(db, measure).await?);
        }
        for actor in actors {
            let names = reach.actors_of.entry(actor.case_id).or_default();
            names.0.push(actor.name_zh);
            names.1.push(actor.name_en);
        }
        for c in citations_of(db, only).await? {
            if let Ok(kind) = EntryKind::parse(&c.entity_type) {
                reach
                    .excerpts
                    .entry((kind, c.entity_id))
                    .or_default()
                    .add(&c.excerpt_zh, &c.excerpt_en);
            }
        }
        Ok(reach)
    }

    /// The cases in a region itself (not in the regions below it), in id order.
    fn cases_in(&self, region: i32) -> impl Iterator<Item = &cases::Model> {
        self.cases
            .values()
            .filter(move |case| case.region_id == Some(region))
    }
}

/// The measures whose cases a build reads: the wanted measures and the measures of the wanted
/// causes (every measure for a full build).
fn measures_reached(graph: &Graph, only: Option<&BTreeSet<String>>) -> BTreeSet<i32> {
    let Some(only) = only else {
        return graph.measures.keys().copied().collect();
    };
    let mut measures: BTreeSet<i32> = ids_of(only, EntryKind::Measure).into_iter().collect();
    for cause in ids_of(only, EntryKind::Cause) {
        measures.extend(graph.measures_of_cause.get(&cause).into_iter().flatten());
    }
    measures
}

/// Cases are the table that grows (100,000 and more): for some documents, read only the cases
/// whose documents are built and the cases in the regions whose documents are, with those
/// cases' measure links.
async fn cases_of(
    db: &DatabaseConnection,
    only: Option<&BTreeSet<String>>,
) -> AppResult<(Vec<cases::Model>, Vec<case_measures::Model>)> {
    let Some(only) = only else {
        let mut links = case_measures::Entity::find().all(db).await?;
        links.sort_by_key(|link| (link.case_id, link.measure_id));
        return Ok((cases::Entity::find().all(db).await?, links));
    };
    let in_regions = rows_where::<cases::Entity>(
        db,
        cases::Column::RegionId,
        &ids_of(only, EntryKind::Region),
    )
    .await?;
    let mut case_ids: BTreeSet<i32> = ids_of(only, EntryKind::Case).into_iter().collect();
    case_ids.extend(in_regions.iter().map(|case| case.id));
    let case_ids: Vec<i32> = case_ids.into_iter().collect();
    let mut links =
        rows_where::<case_measures::Entity>(db, case_measures::Column::CaseId, &case_ids).await?;
    // One order for both builds: a case's measures in id order (the order they were loaded in).
    links.sort_by_key(|link| (link.case_id, link.measure_id));
    let cases = rows_where::<cases::Entity>(db, cases::Column::Id, &case_ids).await?;
    Ok((cases, links))
}

/// Builds the documents of the records `only` names, or of every record.
async fn build(
    db: &DatabaseConnection,
    graph: &Graph,
    only: Option<&BTreeSet<String>>,
) -> AppResult<Vec<SearchDocument>> {
    let wanted = |kind: EntryKind, id: i32| only.is_none_or(|only| only.contains(&key(kind, id)));
    let mut builder = Builder {
        g: graph,
        reach: Reach::load(db, graph, only).await?,
    };
    let mut docs = Vec::new();
    let Ok(()) = builder.each(&wanted, |doc| {
        docs.push(doc);
        Ok::<(), std::convert::Infallible>(())
    });
    Ok(docs)
}

/// One builder per build: a function per kind of record, each saying what its document holds
/// and whose records it reads (`deps`).
struct Builder<'a> {
    g: &'a Graph,
    reach: Reach,
}

impl Builder<'_> {
    /// Hands the `wanted` documents to `take`, ordered by kind and id (the index's document
    /// order, which breaks ties between equal scores, is the same in every build).
    fn each<E>(
        &mut self,
        wanted: &dyn Fn(EntryKind, i32) -> bool,
        mut take: impl FnMut(SearchDocument) -> Result<(), E>,
    ) -> Result<(), E> {
        let g = self.g;
        let cases: Vec<cases::Model> = self.reach.cases.values().cloned().collect();
        for case in cases.iter().filter(|c| wanted(EntryKind::Case, c.id)) {
            take(self.case(case))?;
        }
        for measure in g.measures.values() {
            if wanted(EntryKind::Measure, measure.id) {
                take(self.measure(measure))?;
            }
        }
        for cause in g.causes.values() {
            if wanted(EntryKind::Cause, cause.id) {
                take(self.cause(cause))?;
            }
        }
        for strategy in g.strategies.values() {
            if wanted(EntryKind::Strategy, strategy.id) {
                take(self.strategy(strategy))?;
            }
        }
        for dimension in g.dimensions.values() {
            if wanted(EntryKind::Dimension, dimension.id) {
                take(self.dimension(dimension))?;
            }
        }
        for region in g.regions.values() {
            if wanted(EntryKind::Region, region.id) {
                take(self.region(region))?;
            }
        }
        let mut statistics: Vec<&statistics::Model> = g.statistics.iter().collect();
        statistics.sort_by_key(|statistic| statistic.id);
        for statistic in statistics {
            if wanted(EntryKind::Statistic, statistic.id) {
                take(self.statistic(statistic))?;
            }
        }
        for term in g.glossary.values() {
            if wanted(EntryKind::Glossary, term.id) {
                take(self.glossary(term))?;
            }
        }
        Ok(())
    }

    /// The record's own excerpts: the start of its body.
    fn excerpts(&mut self, kind: EntryKind, id: i32) -> Texts {
        self.reach.excerpts.remove(&(kind, id)).unwrap_or_default()
    }

    /// The facets a measure carries; cases, causes and regions derive theirs from it.
    fn measure_facets(&self, measure: &measures::Model, deps: &mut Deps) -> Facets {
        let g = self.g;
        let mut facets = Facets::new();
        deps.add(EntryKind::Measure, measure.id);
        if let Some(strategy) = g.strategies.get(&measure.strategy_id) {
            deps.add(EntryKind::Strategy, strategy.id);
            facets.insert((FacetField::Strategy, strategy.slug.clone()));
            if let Some(dimension) = strategy.dimension_id.and_then(|d| g.dimensions.get(&d)) {
                deps.add(EntryKind::Dimension, dimension.id);
                facets.insert((FacetField::Dimension, dimension.slug.clone()));
            }
        }
        for link in g.causes_of_measure.get(&measure.id).into_iter().flatten() {
            for c in g.cause_chain(link.cause_id) {
                deps.add(EntryKind::Cause, c.id);
                facets.insert((FacetField::Cause, c.slug.clone()));
            }
        }
        facets
    }

    /// The regions (with the regions above them) of the cases that apply a measure. A case's
    /// edit logs each measure it names as `related`, so the measure's referrers key covers
    /// every case: no key per case.
    fn regions_of_measure(&self, measure: i32, deps: &mut Deps) -> Facets {
        let mut facets = Facets::new();
        deps.add_referrers(EntryKind::Measure, measure);
        let regions = self.reach.applied.get(&measure).map(|a| &a.regions);
        for region in regions.into_iter().flatten() {
            for region in self.g.region_chain(Some(*region)) {
                deps.add(EntryKind::Region, region.id);
                facets.insert((FacetField::Region, region.slug.clone()));
            }
        }
        facets
    }

    fn measures_of_case(&self, case: i32) -> impl Iterator<Item = &'_ measures::Model> {
        let g = self.g;
        self.reach
            .measures_of_case
            .get(&case)
            .into_iter()
            .flatten()
            .filter_map(|m| g.measures.get(m))
    }

    /// A case: its actions, outcomes, regions and measures; its actors are its other names.
    fn case(&mut self, case: &cases::Model) -> SearchDocument {
        let mut body = self.excerpts(EntryKind::Case, case.id);
        let mut deps = Deps::of(EntryKind::Case, case.id);
        body.maybe(&case.actions_zh, &case.actions_en);
        body.maybe(&case.outcomes_zh, &case.outcomes_en);
        let mut facets = Facets::new();
        for region in self.g.region_chain(case.region_id) {
            deps.add(EntryKind::Region, region.id);
            body.add(&region.name_zh, &region.name_en);
            facets.insert((FacetField::Region, region.slug.clone()));
        }
        for measure in self.measures_of_case(case.id) {
            body.add(&measure.title_zh, &measure.title_en);
            facets.extend(self.measure_facets(measure, &mut deps));
        }
        let aliases = self
            .reach
            .actors_of
            .remove(&case.id)
            .map(|(zh, en)| (zh.join("\n"), en.join("\n")))
            .unwrap_or_default();
        SearchDocument {
            kind: EntryKind::Case,
            id: case.id,
            slug: case.slug.clone(),
            title: (case.title_zh.clone(), case.title_en.clone()),
            summary: opt(&case.summary_zh, &case.summary_en),
            body: body.joined(),
            aliases,
            facets,
            deps: deps.0,
        }
    }

    /// A measure: its prong, the causes it answers, and the first cases that apply it.
    fn measure(&mut self, measure: &measures::Model) -> SearchDocument {
        let g = self.g;
        let mut body = self.excerpts(EntryKind::Measure, measure.id);
        let mut deps = Deps::of(EntryKind::Measure, measure.id);
        if let Some(strategy) = g.strategies.get(&measure.strategy_id) {
            body.add(&strategy.name_zh, &strategy.name_en);
        }
        for link in g.causes_of_measure.get(&measure.id).into_iter().flatten() {
            if let Some(cause) = g.causes.get(&link.cause_id) {
                body.add(&cause.name_zh, &cause.name_en);
            }
        }
        let exemplars = self.reach.applied.get(&measure.id).map(|a| &a.first);
        for case in exemplars.into_iter().flatten() {
            body.add(&case.title_zh, &case.title_en);
        }
        let mut facets = self.measure_facets(measure, &mut deps);
        facets.extend(self.regions_of_measure(measure.id, &mut deps));
        SearchDocument {
            kind: EntryKind::Measure,
            id: measure.id,
            slug: measure.slug.clone(),
            title: (measure.title_zh.clone(), measure.title_en.clone()),
            summary: opt(&measure.summary_zh, &measure.summary_en),
            body: body.joined(),
            aliases: lines(g.aliases_of::<measures::Entity>(measure.id)),
            facets,
            deps: deps.0,
        }
    }

    /// A cause: its group, kinds of poverty and survey figures; facets from its measures.
    fn cause(&mut self, cause: &causes::Model) -> SearchDocument {
        let g = self.g;
        let mut body = self.excerpts(EntryKind::Cause, cause.id);
        let mut deps = Deps::of(EntryKind::Cause, cause.id);
        // Its survey figures and the measures that answer it refer to it.
        deps.add_referrers(EntryKind::Cause, cause.id);
        let mut facets = Facets::new();
        for c in g.cause_chain(cause.id) {
            deps.add(EntryKind::Cause, c.id);
            facets.insert((FacetField::Cause, c.slug.clone()));
        }
        if let Some(parent) = cause.parent_id.and_then(|p| g.causes.get(&p)) {
            body.add(&parent.name_zh, &parent.name_en);
        }
        for dimension in g
            .dims_of_cause
            .get(&cause.id)
            .into_iter()
            .flatten()
            .filter_map(|d| g.dimensions.get(d))
        {
            deps.add(EntryKind::Dimension, dimension.id);
            body.add(&dimension.name_zh, &dimension.name_en);
            facets.insert((FacetField::Dimension, dimension.slug.clone()));
        }
        for statistic in g.statistics_of_cause.get(&cause.id).into_iter().flatten() {
            deps.add(EntryKind::Statistic, statistic.id);
            body.add(&statistic.label_zh, &statistic.label_en);
        }
        for measure in g
            .measures_of_cause
            .get(&cause.id)
            .into_iter()
            .flatten()
            .filter_map(|m| g.measures.get(m))
        {
            deps.add(EntryKind::Measure, measure.id);
            if let Some(strategy) = g.strategies.get(&measure.strategy_id) {
                deps.add(EntryKind::Strategy, strategy.id);
                facets.insert((FacetField::Strategy, strategy.slug.clone()));
            }
            facets.extend(self.regions_of_measure(measure.id, &mut deps));
        }
        SearchDocument {
            kind: EntryKind::Cause,
            id: cause.id,
            slug: cause.slug.clone(),
            title: (cause.name_zh.clone(), cause.name_en.clone()),
            summary: opt(&cause.summary_zh, &cause.summary_en),
            body: body.joined(),
            aliases: lines(g.aliases_of::<causes::Entity>(cause.id)),
            facets,
            deps: deps.0,
        }
    }

    /// A prong: its aim, its kind of poverty and its measures.
    fn strategy(&mut self, strategy: &strategies::Model) -> SearchDocument {
        let g = self.g;
        let mut body = self.excerpts(EntryKind::Strategy, strategy.id);
        let mut deps = Deps::of(EntryKind::Strategy, strategy.id);
        deps.add_referrers(EntryKind::Strategy, strategy.id);
        body.add(&strategy.aim_zh, &strategy.aim_en);
        let mut facets = Facets::from([(FacetField::Strategy, strategy.slug.clone())]);
        if let Some(dimension) = strategy.dimension_id.and_then(|d| g.dimensions.get(&d)) {
            deps.add(EntryKind::Dimension, dimension.id);
            body.add(&dimension.name_zh, &dimension.name_en);
            facets.insert((FacetField::Dimension, dimension.slug.clone()));
        }
        for measure in g.measures_of_strategy(strategy.id) {
            deps.add(EntryKind::Measure, measure.id);
            body.add(&measure.title_zh, &measure.title_en);
        }
        SearchDocument {
            kind: EntryKind::Strategy,
            id: strategy.id,
            slug: strategy.slug.clone(),
            title: (strategy.name_zh.clone(), strategy.name_en.clone()),
            summary: opt(&strategy.summary_zh, &strategy.summary_en),
            body: body.joined(),
            aliases: lines(g.aliases_of::<strategies::Entity>(strategy.id)),
            facets,
            deps: deps.0,
        }
    }

    /// A kind of poverty: the prongs that answer it and the causes that feed it.
    fn dimension(&mut self, dimension: &dimensions::Model) -> SearchDocument {
        let g = self.g;
        let mut body = self.excerpts(EntryKind::Dimension, dimension.id);
        let mut deps = Deps::of(EntryKind::Dimension, dimension.id);
        deps.add_referrers(EntryKind::Dimension, dimension.id);
        let mut facets = Facets::from([(FacetField::Dimension, dimension.slug.clone())]);
        for strategy in g.strategies_of_dimension(dimension.id) {
            deps.add(EntryKind::Strategy, strategy.id);
            body.add(&strategy.name_zh, &strategy.name_en);
            facets.insert((FacetField::Strategy, strategy.slug.clone()));
        }
        for cause in g
            .causes_of_dimension
            .get(&dimension.id)
            .into_iter()
            .flatten()
            .filter_map(|c| g.causes.get(c))
        {
            deps.add(EntryKind::Cause, cause.id);
            body.add(&cause.name_zh, &cause.name_en);
        }
        SearchDocument {
            kind: EntryKind::Dimension,
            id: dimension.id,
            slug: dimension.slug.clone(),
            title: (dimension.name_zh.clone(), dimension.name_en.clone()),
            summary: opt(&dimension.summary_zh, &dimension.summary_en),
            body: body.joined(),
            aliases: lines(g.aliases_of::<dimensions::Entity>(dimension.id)),
            facets,
            deps: deps.0,
        }
    }

    /// A region: its zone, the regions above it, its indicators and the first cases in it;
    /// facets from those cases' measures.
    fn region(&mut self, region: &regions::Model) -> SearchDocument {
        let g = self.g;
        let mut body = self.excerpts(EntryKind::Region, region.id);
        let mut deps = Deps::of(EntryKind::Region, region.id);
        deps.add_referrers(EntryKind::Region, region.id);
        body.maybe(&region.zone_zh, &region.zone_en);
        let chain = g.region_chain(Some(region.id));
        for r in &chain {
            deps.add(EntryKind::Region, r.id);
        }
        let mut facets: Facets = chain
            .iter()
            .map(|r| (FacetField::Region, r.slug.clone()))
            .collect();
        for parent in chain.iter().skip(1) {
            body.add(&parent.name_zh, &parent.name_en);
        }
        for indicator in g.indicators_of_region.get(&region.id).into_iter().flatten() {
            body.add(&indicator.name_zh, &indicator.name_en);
        }
        // The cases in the region follow its referrers key (a case's edit logs its region as
        // related), so no key per case.
        for (n, case) in self.reach.cases_in(region.id).enumerate() {
            if n < MAX_RELATED_TITLES {
                body.add(&case.title_zh, &case.title_en);
            }
            for measure in self.measures_of_case(case.id) {
                facets.extend(self.measure_facets(measure, &mut deps));
            }
        }
        SearchDocument {
            kind: EntryKind::Region,
            id: region.id,
            slug: region.slug.clone(),
            title: (region.name_zh.clone(), region.name_en.clone()),
            summary: opt(&region.summary_zh, &region.summary_en),
            body: body.joined(),
            aliases: Default::default(),
            facets,
            deps: deps.0,
        }
    }

    /// A survey figure: the cause (with its group) or kind of poverty it is evidence for, and
    /// the prongs that answer them.
    fn statistic(&mut self, statistic: &statistics::Model) -> SearchDocument {
        let g = self.g;
        let mut body = self.excerpts(EntryKind::Statistic, statistic.id);
        let mut deps = Deps::of(EntryKind::Statistic, statistic.id);
        let mut facets = Facets::new();
        if let Some(cause_id) = statistic.cause_id {
            deps.add(EntryKind::Cause, cause_id);
            deps.add_referrers(EntryKind::Cause, cause_id);
            for cause in g.cause_chain(cause_id) {
                deps.add(EntryKind::Cause, cause.id);
                body.add(&cause.name_zh, &cause.name_en);
                facets.insert((FacetField::Cause, cause.slug.clone()));
            }
            for dimension in g
                .dims_of_cause
                .get(&cause_id)
                .into_iter()
                .flatten()
                .filter_map(|d| g.dimensions.get(d))
            {
                facets.insert((FacetField::Dimension, dimension.slug.clone()));
            }
            for measure in g
                .measures_of_cause
                .get(&cause_id)
                .into_iter()
                .flatten()
                .filter_map(|m| g.measures.get(m))
            {
                deps.add(EntryKind::Measure, measure.id);
                if let Some(strategy) = g.strategies.get(&measure.strategy_id) {
                    deps.add(EntryKind::Strategy, strategy.id);
                    facets.insert((FacetField::Strategy, strategy.slug.clone()));
                }
            }
        }
        if let Some(dimension) = statistic.dimension_id.and_then(|d| g.dimensions.get(&d)) {
            deps.add(EntryKind::Dimension, dimension.id);
            deps.add_referrers(EntryKind::Dimension, dimension.id);
            body.add(&dimension.name_zh, &dimension.name_en);
            facets.insert((FacetField::Dimension, dimension.slug.clone()));
            for strategy in g.strategies_of_dimension(dimension.id) {
                deps.add(EntryKind::Strategy, strategy.id);
                facets.insert((FacetField::Strategy, strategy.slug.clone()));
            }
        }
        for region in g.region_chain(statistic.region_id) {
            deps.add(EntryKind::Region, region.id);
            facets.insert((FacetField::Region, region.slug.clone()));
        }
        SearchDocument {
            kind: EntryKind::Statistic,
            id: statistic.id,
            slug: statistic.slug.clone(),
            title: (statistic.label_zh.clone(), statistic.label_en.clone()),
            summary: opt(&statistic.series_zh, &statistic.series_en),
            body: body.joined(),
            aliases: Default::default(),
            facets,
            deps: deps.0,
        }
    }

    /// A glossary term: its term and rendering are its title, its explanation its summary, its
    /// pinyin (without tone marks, as planners type it) and aliases its other names.
    fn glossary(&mut self, term: &glossary_terms::Model) -> SearchDocument {
        let (aliases_zh, aliases_en) = lines(self.g.aliases_of::<glossary_terms::Entity>(term.id));
        let pinyin = plain_pinyin(&term.pinyin);
        SearchDocument {
            kind: EntryKind::Glossary,
            id: term.id,
            slug: term.slug.clone(),
            title: (term.term.clone(), term.english.clone()),
            summary: (term.explanation_zh.clone(), term.explanation_en.clone()),
            body: Default::default(),
            aliases: (
                aliases_zh,
                [pinyin.as_str(), aliases_en.as_str()]
                    .join("\n")
                    .trim_end()
                    .to_string(),
            ),
            facets: BTreeSet::new(),
            deps: Deps::of(EntryKind::Glossary, term.id).0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrations::{Migrator, MigratorTrait};

    /// The scoped build reads only part of the database: each record's document must still be
    /// exactly the one the full build makes.
    #[tokio::test]
    async fn a_document_built_alone_equals_the_one_built_with_all() {
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        crate::kb::seed_bundled(&db).await.unwrap();
        let graph = Graph::load(&db).await.unwrap();
        let all = from_database(&db, &graph).await.unwrap();
        assert!(all.len() > 100);
        for doc in &all {
            let alone = for_keys(&db, &graph, &BTreeSet::from([doc.key()]))
                .await
                .unwrap();
            assert_eq!(alone, vec![doc.clone()], "{}", doc.key());
        }
        let keys: BTreeSet<String> = all.iter().map(SearchDocument::key).collect();
        assert_eq!(for_keys(&db, &graph, &keys).await.unwrap(), all);
        // A rebuild's stream hands over the same documents in the same order, and says how many.
        let stream = AllDocuments::load(&db, Arc::new(graph)).await.unwrap();
        assert_eq!(stream.len(), all.len());
        let mut streamed = Vec::new();
        let Ok(()) = stream.each(|doc| {
            streamed.push(doc);
            Ok::<(), std::convert::Infallible>(())
        });
        assert_eq!(streamed, all);
    }

    /// A case reads its measures' own fields (title, prong, causes), not who else applies them;
    /// the measure's document lists its cases, so it follows the measure's referrers.
    #[tokio::test]
    async fn a_document_depends_on_referrers_only_where_it_lists_them() {
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        crate::kb::seed_bundled(&db).await.unwrap();
        let graph = Graph::load(&db).await.unwrap();
        let all = from_database(&db, &graph).await.unwrap();
        let measure = all
            .iter()
            .find(|d| d.kind == EntryKind::Measure && d.slug == "honour-hard-work")
            .unwrap();
        let own = key(EntryKind::Measure, measure.id);
        let referrers = referrers_key(EntryKind::Measure, measure.id);
        assert!(measure.deps.contains(&referrers));
        let cases: Vec<&SearchDocument> = all
            .iter()
            .filter(|d| d.kind == EntryKind::Case && d.deps.contains(&own))
            .collect();
        assert!(!cases.is_empty(), "some case applies {}", measure.slug);
        assert!(cases.iter().all(|case| !case.deps.contains(&referrers)));
        // Nor does the measure list a key per case: its referrers key stands for them all.
        assert!(!measure.deps.iter().any(|dep| dep.starts_with("case:")));
    }
}
