//! What the index holds for each record: its texts (title, summary, body in both languages) and
//! its facets, built from the database. The facets follow the same links as the catalog's
//! filters, so `search(filter:)` and `cases(filter:)` agree on what "in Fuling" or "under the
//! industry prong" means.
//!
//! Each document also lists the records it was built from (`deps`), so that the indexer, told
//! that a record changed, can find every document that has to be rebuilt with it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use entities::*;

use crate::catalog::Table;
use crate::domain::EntryKind;
use crate::error::AppResult;
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
    pub facets: BTreeSet<(&'static str, String)>,
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
/// built, and only their citations are read; the other tables are read whole, since a document
/// may follow links anywhere.
pub async fn for_keys(
    db: &DatabaseConnection,
    keys: &BTreeSet<String>,
) -> AppResult<Vec<SearchDocument>> {
    build(db, Some(keys)).await
}

/// Every searchable record of the database.
pub async fn from_database(db: &DatabaseConnection) -> AppResult<Vec<SearchDocument>> {
    build(db, None).await
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

/// Cases are the table that grows (100,000 and more): for some documents, read only the cases
/// they can reach — the wanted cases, the cases of wanted measures and of the measures of wanted
/// causes (their region facets), the cases in wanted regions — and those cases' measure links.
async fn cases_of(
    db: &DatabaseConnection,
    only: Option<&BTreeSet<String>>,
    measure_causes: &[measure_causes::Model],
) -> AppResult<(Vec<cases::Model>, Vec<case_measures::Model>)> {
    let Some(only) = only else {
        let mut links = case_measures::Entity::find().all(db).await?;
        links.sort_by_key(|link| (link.case_id, link.measure_id));
        return Ok((cases::Entity::find().all(db).await?, links));
    };
    let wanted_causes: BTreeSet<i32> = ids_of(only, EntryKind::Cause).into_iter().collect();
    let mut measures: BTreeSet<i32> = ids_of(only, EntryKind::Measure).into_iter().collect();
    measures.extend(
        measure_causes
            .iter()
            .filter(|link| wanted_causes.contains(&link.cause_id))
            .map(|link| link.measure_id),
    );
    let measures: Vec<i32> = measures.into_iter().collect();
    let in_regions = rows_where::<cases::Entity>(
        db,
        cases::Column::RegionId,
        &ids_of(only, EntryKind::Region),
    )
    .await?;
    let mut links =
        rows_where::<case_measures::Entity>(db, case_measures::Column::MeasureId, &measures)
            .await?;
    let mut case_ids: BTreeSet<i32> = ids_of(only, EntryKind::Case).into_iter().collect();
    case_ids.extend(links.iter().map(|link| link.case_id));
    case_ids.extend(in_regions.iter().map(|case| case.id));
    let case_ids: Vec<i32> = case_ids.into_iter().collect();
    links.extend(
        rows_where::<case_measures::Entity>(db, case_measures::Column::CaseId, &case_ids).await?,
    );
    // One order for both builds: a case's measures in id order (the order they were loaded in).
    links.sort_by_key(|link| (link.case_id, link.measure_id));
    links.dedup_by_key(|link| (link.case_id, link.measure_id));
    let cases = rows_where::<cases::Entity>(db, cases::Column::Id, &case_ids).await?;
    Ok((cases, links))
}

/// Builds the documents of the records `only` names, or of every record.
async fn build(
    db: &DatabaseConnection,
    only: Option<&BTreeSet<String>>,
) -> AppResult<Vec<SearchDocument>> {
    let wanted = |kind: EntryKind, id: i32| only.is_none_or(|only| only.contains(&key(kind, id)));
    // Ordered maps: a document lists related records in id order, the same in every build.
    let regions: BTreeMap<i32, regions::Model> = regions::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let dimensions: BTreeMap<i32, dimensions::Model> = dimensions::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let causes: BTreeMap<i32, causes::Model> = causes::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let strategies: BTreeMap<i32, strategies::Model> = strategies::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let measures: BTreeMap<i32, measures::Model> = measures::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let statistics = statistics::Entity::find().all(db).await?;
    let indicators = indicators::Entity::find().all(db).await?;
    let cause_dims = cause_dimensions::Entity::find().all(db).await?;
    let measure_causes = measure_causes::Entity::find().all(db).await?;
    let (cases, case_measures) = cases_of(db, only, &measure_causes).await?;
    let cases: BTreeMap<i32, cases::Model> = cases.into_iter().map(|r| (r.id, r)).collect();
    // The people and organisations a case names are other names of the case: a search for a
    // company or a person finds its case.
    let mut actors_of: HashMap<i32, (Vec<String>, Vec<String>)> = HashMap::new();
    for actor in actors::Entity::find().all(db).await? {
        let names = actors_of.entry(actor.case_id).or_default();
        names.0.push(actor.name_zh);
        names.1.push(actor.name_en);
    }
    let citations = citations_of(db, only).await?;
    let mut named: HashMap<&str, HashMap<i32, Aliases>> = HashMap::new();
    for kind in [
        dimensions::Entity::KIND,
        causes::Entity::KIND,
        strategies::Entity::KIND,
        measures::Entity::KIND,
        glossary_terms::Entity::KIND,
    ] {
        named.insert(kind, crate::kb::aliases::of_kind(db, kind, None).await?);
    }
    let aliases_of = |kind: &str, id: i32| lines(named.get(kind).and_then(|m| m.get(&id)));
    let glossary = glossary_terms::Entity::find().all(db).await?;

    let mut excerpts: HashMap<(&str, i32), Texts> = HashMap::new();
    for c in &citations {
        let kind = EntryKind::ALL
            .into_iter()
            .map(EntryKind::as_str)
            .find(|k| *k == c.entity_type);
        if let Some(kind) = kind {
            excerpts
                .entry((kind, c.entity_id))
                .or_default()
                .add(&c.excerpt_zh, &c.excerpt_en);
        }
    }
    let pairs = |links: &[(i32, i32)]| {
        let mut map: HashMap<i32, Vec<i32>> = HashMap::new();
        for &(from, to) in links {
            map.entry(from).or_default().push(to);
        }
        map
    };
    let dims_of_cause = pairs(
        &cause_dims
            .iter()
            .map(|l| (l.cause_id, l.dimension_id))
            .collect::<Vec<_>>(),
    );
    let causes_of_measure = pairs(
        &measure_causes
            .iter()
            .map(|l| (l.measure_id, l.cause_id))
            .collect::<Vec<_>>(),
    );
    let measures_of_cause = pairs(
        &measure_causes
            .iter()
            .map(|l| (l.cause_id, l.measure_id))
            .collect::<Vec<_>>(),
    );
    let measures_of_case = pairs(
        &case_measures
            .iter()
            .map(|l| (l.case_id, l.measure_id))
            .collect::<Vec<_>>(),
    );
    let cases_of_measure = pairs(
        &case_measures
            .iter()
            .map(|l| (l.measure_id, l.case_id))
            .collect::<Vec<_>>(),
    );

    // A region with every region above it; a cause with its group.
    let region_chain = |id: Option<i32>| -> Vec<&regions::Model> {
        let mut chain = Vec::new();
        let mut next = id;
        while let Some(region) = next.and_then(|id| regions.get(&id)) {
            if chain.iter().any(|r: &&regions::Model| r.id == region.id) {
                break;
            }
            chain.push(region);
            next = region.parent_id;
        }
        chain
    };
    let cause_chain = |id: i32| -> Vec<&causes::Model> {
        let mut chain: Vec<&causes::Model> = causes.get(&id).into_iter().collect();
        if let Some(parent) = chain
            .first()
            .and_then(|c| c.parent_id)
            .and_then(|p| causes.get(&p))
        {
            chain.push(parent);
        }
        chain
    };
    // The facets a measure carries; cases, causes and regions derive theirs from it.
    let measure_facets =
        |measure: &measures::Model, deps: &mut Deps| -> BTreeSet<(&'static str, String)> {
            let mut facets = BTreeSet::new();
            deps.add(EntryKind::Measure, measure.id);
            if let Some(strategy) = strategies.get(&measure.strategy_id) {
                deps.add(EntryKind::Strategy, strategy.id);
                facets.insert(("strategy", strategy.slug.clone()));
                if let Some(dimension) = strategy.dimension_id.and_then(|d| dimensions.get(&d)) {
                    deps.add(EntryKind::Dimension, dimension.id);
                    facets.insert(("dimension", dimension.slug.clone()));
                }
            }
            for cause in causes_of_measure.get(&measure.id).into_iter().flatten() {
                for c in cause_chain(*cause) {
                    deps.add(EntryKind::Cause, c.id);
                    facets.insert(("cause", c.slug.clone()));
                }
            }
            facets
        };
    let regions_of_measure = |measure_id: i32, deps: &mut Deps| {
        let mut facets = BTreeSet::new();
        deps.add(EntryKind::Measure, measure_id);
        for case in cases_of_measure
            .get(&measure_id)
            .into_iter()
            .flatten()
            .filter_map(|case| cases.get(case))
        {
            deps.add(EntryKind::Case, case.id);
            for region in region_chain(case.region_id) {
                deps.add(EntryKind::Region, region.id);
                facets.insert(("region", region.slug.clone()));
            }
        }
        facets
    };
    let excerpt = |excerpts: &mut HashMap<(&str, i32), Texts>, kind: EntryKind, id: i32| {
        excerpts.remove(&(kind.as_str(), id)).unwrap_or_default()
    };

    let mut docs = Vec::new();
    for case in cases.values() {
        if !wanted(EntryKind::Case, case.id) {
            continue;
        }
        let mut body = excerpt(&mut excerpts, EntryKind::Case, case.id);
        let mut deps = Deps::of(EntryKind::Case, case.id);
        body.maybe(&case.actions_zh, &case.actions_en);
        body.maybe(&case.outcomes_zh, &case.outcomes_en);
        let mut facets = BTreeSet::new();
        for region in region_chain(case.region_id) {
            deps.add(EntryKind::Region, region.id);
            body.add(&region.name_zh, &region.name_en);
            facets.insert(("region", region.slug.clone()));
        }
        for measure in measures_of_case
            .get(&case.id)
            .into_iter()
            .flatten()
            .filter_map(|m| measures.get(m))
        {
            body.add(&measure.title_zh, &measure.title_en);
            facets.extend(measure_facets(measure, &mut deps));
        }
        docs.push(SearchDocument {
            kind: EntryKind::Case,
            id: case.id,
            slug: case.slug.clone(),
            title: (case.title_zh.clone(), case.title_en.clone()),
            summary: opt(&case.summary_zh, &case.summary_en),
            body: body.joined(),
            aliases: actors_of
                .remove(&case.id)
                .map(|(zh, en)| (zh.join("\n"), en.join("\n")))
                .unwrap_or_default(),
            facets,
            deps: deps.0,
        });
    }
    for measure in measures.values() {
        if !wanted(EntryKind::Measure, measure.id) {
            continue;
        }
        let mut body = excerpt(&mut excerpts, EntryKind::Measure, measure.id);
        let mut deps = Deps::of(EntryKind::Measure, measure.id);
        if let Some(strategy) = strategies.get(&measure.strategy_id) {
            body.add(&strategy.name_zh, &strategy.name_en);
        }
        for cause in causes_of_measure
            .get(&measure.id)
            .into_iter()
            .flatten()
            .filter_map(|c| causes.get(c))
        {
            body.add(&cause.name_zh, &cause.name_en);
        }
        let mut exemplars: Vec<&cases::Model> = cases_of_measure
            .get(&measure.id)
            .into_iter()
            .flatten()
            .filter_map(|c| cases.get(c))
            .collect();
        exemplars.sort_by_key(|case| case.id);
        for case in exemplars.into_iter().take(MAX_RELATED_TITLES) {
            body.add(&case.title_zh, &case.title_en);
        }
        let mut facets = measure_facets(measure, &mut deps);
        facets.extend(regions_of_measure(measure.id, &mut deps));
        docs.push(SearchDocument {
            kind: EntryKind::Measure,
            id: measure.id,
            slug: measure.slug.clone(),
            title: (measure.title_zh.clone(), measure.title_en.clone()),
            summary: opt(&measure.summary_zh, &measure.summary_en),
            body: body.joined(),
            aliases: aliases_of(measures::Entity::KIND, measure.id),
            facets,
            deps: deps.0,
        });
    }
    for cause in causes.values() {
        if !wanted(EntryKind::Cause, cause.id) {
            continue;
        }
        let mut body = excerpt(&mut excerpts, EntryKind::Cause, cause.id);
        let mut deps = Deps::of(EntryKind::Cause, cause.id);
        let mut facets = BTreeSet::new();
        for c in cause_chain(cause.id) {
            deps.add(EntryKind::Cause, c.id);
            facets.insert(("cause", c.slug.clone()));
        }
        if let Some(parent) = cause.parent_id.and_then(|p| causes.get(&p)) {
            body.add(&parent.name_zh, &parent.name_en);
        }
        for dimension in dims_of_cause
            .get(&cause.id)
            .into_iter()
            .flatten()
            .filter_map(|d| dimensions.get(d))
        {
            deps.add(EntryKind::Dimension, dimension.id);
            body.add(&dimension.name_zh, &dimension.name_en);
            facets.insert(("dimension", dimension.slug.clone()));
        }
        for statistic in statistics.iter().filter(|s| s.cause_id == Some(cause.id)) {
            deps.add(EntryKind::Statistic, statistic.id);
            body.add(&statistic.label_zh, &statistic.label_en);
        }
        for measure in measures_of_cause
            .get(&cause.id)
            .into_iter()
            .flatten()
            .filter_map(|m| measures.get(m))
        {
            if let Some(strategy) = strategies.get(&measure.strategy_id) {
                deps.add(EntryKind::Strategy, strategy.id);
                facets.insert(("strategy", strategy.slug.clone()));
            }
            facets.extend(regions_of_measure(measure.id, &mut deps));
        }
        docs.push(SearchDocument {
            kind: EntryKind::Cause,
            id: cause.id,
            slug: cause.slug.clone(),
            title: (cause.name_zh.clone(), cause.name_en.clone()),
            summary: opt(&cause.summary_zh, &cause.summary_en),
            body: body.joined(),
            aliases: aliases_of(causes::Entity::KIND, cause.id),
            facets,
            deps: deps.0,
        });
    }
    for strategy in strategies.values() {
        if !wanted(EntryKind::Strategy, strategy.id) {
            continue;
        }
        let mut body = excerpt(&mut excerpts, EntryKind::Strategy, strategy.id);
        let mut deps = Deps::of(EntryKind::Strategy, strategy.id);
        body.add(&strategy.aim_zh, &strategy.aim_en);
        let mut facets = BTreeSet::from([("strategy", strategy.slug.clone())]);
        if let Some(dimension) = strategy.dimension_id.and_then(|d| dimensions.get(&d)) {
            deps.add(EntryKind::Dimension, dimension.id);
            body.add(&dimension.name_zh, &dimension.name_en);
            facets.insert(("dimension", dimension.slug.clone()));
        }
        for measure in measures.values().filter(|m| m.strategy_id == strategy.id) {
            deps.add(EntryKind::Measure, measure.id);
            body.add(&measure.title_zh, &measure.title_en);
        }
        docs.push(SearchDocument {
            kind: EntryKind::Strategy,
            id: strategy.id,
            slug: strategy.slug.clone(),
            title: (strategy.name_zh.clone(), strategy.name_en.clone()),
            summary: opt(&strategy.summary_zh, &strategy.summary_en),
            body: body.joined(),
            aliases: aliases_of(strategies::Entity::KIND, strategy.id),
            facets,
            deps: deps.0,
        });
    }
    for dimension in dimensions.values() {
        if !wanted(EntryKind::Dimension, dimension.id) {
            continue;
        }
        let mut body = excerpt(&mut excerpts, EntryKind::Dimension, dimension.id);
        let mut deps = Deps::of(EntryKind::Dimension, dimension.id);
        let mut facets = BTreeSet::from([("dimension", dimension.slug.clone())]);
        for strategy in strategies
            .values()
            .filter(|s| s.dimension_id == Some(dimension.id))
        {
            deps.add(EntryKind::Strategy, strategy.id);
            body.add(&strategy.name_zh, &strategy.name_en);
            facets.insert(("strategy", strategy.slug.clone()));
        }
        for cause in cause_dims
            .iter()
            .filter(|l| l.dimension_id == dimension.id)
            .filter_map(|l| causes.get(&l.cause_id))
        {
            deps.add(EntryKind::Cause, cause.id);
            body.add(&cause.name_zh, &cause.name_en);
        }
        docs.push(SearchDocument {
            kind: EntryKind::Dimension,
            id: dimension.id,
            slug: dimension.slug.clone(),
            title: (dimension.name_zh.clone(), dimension.name_en.clone()),
            summary: opt(&dimension.summary_zh, &dimension.summary_en),
            body: body.joined(),
            aliases: aliases_of(dimensions::Entity::KIND, dimension.id),
            facets,
            deps: deps.0,
        });
    }
    for region in regions.values() {
        if !wanted(EntryKind::Region, region.id) {
            continue;
        }
        let mut body = excerpt(&mut excerpts, EntryKind::Region, region.id);
        let mut deps = Deps::of(EntryKind::Region, region.id);
        body.maybe(&region.zone_zh, &region.zone_en);
        let chain = region_chain(Some(region.id));
        for r in &chain {
            deps.add(EntryKind::Region, r.id);
        }
        let mut facets: BTreeSet<(&'static str, String)> =
            chain.iter().map(|r| ("region", r.slug.clone())).collect();
        for parent in chain.iter().skip(1) {
            body.add(&parent.name_zh, &parent.name_en);
        }
        for indicator in indicators.iter().filter(|i| i.region_id == region.id) {
            body.add(&indicator.name_zh, &indicator.name_en);
        }
        let mut local: Vec<&cases::Model> = cases
            .values()
            .filter(|c| c.region_id == Some(region.id))
            .collect();
        local.sort_by_key(|case| case.id);
        for (n, case) in local.into_iter().enumerate() {
            deps.add(EntryKind::Case, case.id);
            if n < MAX_RELATED_TITLES {
                body.add(&case.title_zh, &case.title_en);
            }
            for measure in measures_of_case
                .get(&case.id)
                .into_iter()
                .flatten()
                .filter_map(|m| measures.get(m))
            {
                facets.extend(measure_facets(measure, &mut deps));
            }
        }
        docs.push(SearchDocument {
            kind: EntryKind::Region,
            id: region.id,
            slug: region.slug.clone(),
            title: (region.name_zh.clone(), region.name_en.clone()),
            summary: opt(&region.summary_zh, &region.summary_en),
            body: body.joined(),
            aliases: Default::default(),
            facets,
            deps: deps.0,
        });
    }
    for statistic in &statistics {
        if !wanted(EntryKind::Statistic, statistic.id) {
            continue;
        }
        let mut body = excerpt(&mut excerpts, EntryKind::Statistic, statistic.id);
        let mut deps = Deps::of(EntryKind::Statistic, statistic.id);
        let mut facets = BTreeSet::new();
        if let Some(cause_id) = statistic.cause_id {
            deps.add(EntryKind::Cause, cause_id);
            for cause in cause_chain(cause_id) {
                deps.add(EntryKind::Cause, cause.id);
                body.add(&cause.name_zh, &cause.name_en);
                facets.insert(("cause", cause.slug.clone()));
            }
            for dimension in dims_of_cause
                .get(&cause_id)
                .into_iter()
                .flatten()
                .filter_map(|d| dimensions.get(d))
            {
                facets.insert(("dimension", dimension.slug.clone()));
            }
            for measure in measures_of_cause
                .get(&cause_id)
                .into_iter()
                .flatten()
                .filter_map(|m| measures.get(m))
            {
                deps.add(EntryKind::Measure, measure.id);
                if let Some(strategy) = strategies.get(&measure.strategy_id) {
                    deps.add(EntryKind::Strategy, strategy.id);
                    facets.insert(("strategy", strategy.slug.clone()));
                }
            }
        }
        if let Some(dimension) = statistic.dimension_id.and_then(|d| dimensions.get(&d)) {
            deps.add(EntryKind::Dimension, dimension.id);
            body.add(&dimension.name_zh, &dimension.name_en);
            facets.insert(("dimension", dimension.slug.clone()));
            for strategy in strategies
                .values()
                .filter(|s| s.dimension_id == Some(dimension.id))
            {
                deps.add(EntryKind::Strategy, strategy.id);
                facets.insert(("strategy", strategy.slug.clone()));
            }
        }
        for region in region_chain(statistic.region_id) {
            deps.add(EntryKind::Region, region.id);
            facets.insert(("region", region.slug.clone()));
        }
        docs.push(SearchDocument {
            kind: EntryKind::Statistic,
            id: statistic.id,
            slug: statistic.slug.clone(),
            title: (statistic.label_zh.clone(), statistic.label_en.clone()),
            summary: opt(&statistic.series_zh, &statistic.series_en),
            body: body.joined(),
            aliases: Default::default(),
            facets,
            deps: deps.0,
        });
    }
    for term in &glossary {
        if !wanted(EntryKind::Glossary, term.id) {
            continue;
        }
        let (aliases_zh, aliases_en) = aliases_of(glossary_terms::Entity::KIND, term.id);
        let pinyin = plain_pinyin(&term.pinyin);
        docs.push(SearchDocument {
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
        });
    }
    docs.sort_by_key(|d| (d.kind, d.id));
    Ok(docs)
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
        let all = from_database(&db).await.unwrap();
        assert!(all.len() > 100);
        for doc in &all {
            let alone = for_keys(&db, &BTreeSet::from([doc.key()])).await.unwrap();
            assert_eq!(alone, vec![doc.clone()], "{}", doc.key());
        }
        let keys: BTreeSet<String> = all.iter().map(SearchDocument::key).collect();
        assert_eq!(for_keys(&db, &keys).await.unwrap(), all);
    }
}
