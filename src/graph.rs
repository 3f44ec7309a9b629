//! The one read model of the knowledge graph: every record of the kinds that stay small (regions,
//! kinds of poverty, causes, prongs, measures, statistics, indicators, glossary terms), their
//! names and aliases, and the links between them, with the walks both readers need (a region
//! with the regions above it, a factor with its group, a cause's survey share).
//!
//! Search documents (`search::documents`) and recommendations (`recommend`) read the graph from
//! here, through one `GraphCache` per process: a state of the database is read once, whoever
//! asks first. Cases, their links, actors and citations grow without bound (100,000 cases and
//! more), so they are not part of it: each reader fetches the ones it reaches.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sea_orm::{DatabaseConnection, EntityTrait};

use entities::*;

use crate::catalog::tables::LinkProvenance;
use crate::catalog::Table;
use crate::domain::RecordKind;
use crate::error::AppResult;
use crate::kb::Aliases;

/// The tables of the graph as rows, in the order the database returns them.
#[derive(Default)]
pub struct Rows {
    pub regions: Vec<regions::Model>,
    pub dimensions: Vec<dimensions::Model>,
    pub causes: Vec<causes::Model>,
    pub strategies: Vec<strategies::Model>,
    pub measures: Vec<measures::Model>,
    pub statistics: Vec<statistics::Model>,
    pub indicators: Vec<indicators::Model>,
    pub glossary: Vec<glossary_terms::Model>,
    pub cause_dimensions: Vec<cause_dimensions::Model>,
    pub measure_causes: Vec<measure_causes::Model>,
    /// Aliases by (table kind, id).
    pub aliases: HashMap<(RecordKind, i32), Aliases>,
}

impl Rows {
    pub async fn load(db: &DatabaseConnection) -> AppResult<Rows> {
        let mut aliases = HashMap::new();
        for kind in RecordKind::ALIASED {
            for (id, list) in crate::kb::aliases::of_kind(db, kind, None).await? {
                aliases.insert((kind, id), list);
            }
        }
        Ok(Rows {
            regions: regions::Entity::find().all(db).await?,
            dimensions: dimensions::Entity::find().all(db).await?,
            causes: causes::Entity::find().all(db).await?,
            strategies: strategies::Entity::find().all(db).await?,
            measures: measures::Entity::find().all(db).await?,
            statistics: statistics::Entity::find().all(db).await?,
            indicators: indicators::Entity::find().all(db).await?,
            glossary: glossary_terms::Entity::find().all(db).await?,
            cause_dimensions: cause_dimensions::Entity::find().all(db).await?,
            measure_causes: measure_causes::Entity::find().all(db).await?,
            aliases,
        })
    }
}

/// Records by id (ordered: whatever lists related records lists them in id order, the same in
/// every build) and the links between them, each list in the order of the link rows.
pub struct Graph {
    pub regions: BTreeMap<i32, regions::Model>,
    pub dimensions: BTreeMap<i32, dimensions::Model>,
    pub causes: BTreeMap<i32, causes::Model>,
    pub strategies: BTreeMap<i32, strategies::Model>,
    pub measures: BTreeMap<i32, measures::Model>,
    /// Every statistic, in row order.
    pub statistics: Vec<statistics::Model>,
    pub glossary: BTreeMap<i32, glossary_terms::Model>,
    pub indicators_of_region: HashMap<i32, Vec<indicators::Model>>,
    pub dims_of_cause: HashMap<i32, Vec<i32>>,
    pub causes_of_dimension: HashMap<i32, Vec<i32>>,
    /// How the source supports each (cause, dimension) link.
    pub dimension_links: HashMap<(i32, i32), LinkProvenance>,
    pub causes_of_measure: HashMap<i32, Vec<measure_causes::Model>>,
    pub measures_of_cause: HashMap<i32, Vec<i32>>,
    pub statistics_of_cause: HashMap<i32, Vec<statistics::Model>>,
    aliases: HashMap<(RecordKind, i32), Aliases>,
}

impl Graph {
    pub async fn load(db: &DatabaseConnection) -> AppResult<Graph> {
        Ok(Graph::new(Rows::load(db).await?))
    }

    /// The graph of these rows: records by id, and every link indexed from both ends.
    pub fn new(rows: Rows) -> Graph {
        let by_id = |ids: Vec<(i32, i32)>| {
            let mut map: HashMap<i32, Vec<i32>> = HashMap::new();
            for (from, to) in ids {
                map.entry(from).or_default().push(to);
            }
            map
        };
        let mut indicators_of_region: HashMap<i32, Vec<indicators::Model>> = HashMap::new();
        for indicator in rows.indicators {
            indicators_of_region
                .entry(indicator.region_id)
                .or_default()
                .push(indicator);
        }
        let mut causes_of_measure: HashMap<i32, Vec<measure_causes::Model>> = HashMap::new();
        for link in &rows.measure_causes {
            causes_of_measure
                .entry(link.measure_id)
                .or_default()
                .push(link.clone());
        }
        let mut statistics_of_cause: HashMap<i32, Vec<statistics::Model>> = HashMap::new();
        for statistic in &rows.statistics {
            if let Some(cause) = statistic.cause_id {
                statistics_of_cause
                    .entry(cause)
                    .or_default()
                    .push(statistic.clone());
            }
        }
        let pairs = |f: fn(&cause_dimensions::Model) -> (i32, i32)| {
            by_id(rows.cause_dimensions.iter().map(f).collect())
        };
        Graph {
            dims_of_cause: pairs(|l| (l.cause_id, l.dimension_id)),
            causes_of_dimension: pairs(|l| (l.dimension_id, l.cause_id)),
            dimension_links: rows
                .cause_dimensions
                .iter()
                .map(|l| {
                    let provenance =
                        LinkProvenance::of(&l.rationale_zh, &l.rationale_en, l.citation);
                    ((l.cause_id, l.dimension_id), provenance)
                })
                .collect(),
            measures_of_cause: by_id(
                rows.measure_causes
                    .iter()
                    .map(|l| (l.cause_id, l.measure_id))
                    .collect(),
            ),
            causes_of_measure,
            statistics_of_cause,
            indicators_of_region,
            regions: keyed(rows.regions, |r| r.id),
            dimensions: keyed(rows.dimensions, |r| r.id),
            causes: keyed(rows.causes, |r| r.id),
            strategies: keyed(rows.strategies, |r| r.id),
            measures: keyed(rows.measures, |r| r.id),
            statistics: rows.statistics,
            glossary: keyed(rows.glossary, |r| r.id),
            aliases: rows.aliases,
        }
    }

    /// The aliases of a record of table `E`.
    pub fn aliases_of<E: Table>(&self, id: i32) -> Option<&Aliases> {
        self.aliases.get(&(E::KIND, id))
    }

    /// The factors of a cause group.
    pub fn children_of(&self, cause: i32) -> impl Iterator<Item = &causes::Model> {
        self.causes
            .values()
            .filter(move |c| c.parent_id == Some(cause))
    }

    /// A cause, then its group when it is a factor.
    pub fn cause_chain(&self, id: i32) -> Vec<&causes::Model> {
        let mut chain: Vec<&causes::Model> = self.causes.get(&id).into_iter().collect();
        if let Some(parent) = chain
            .first()
            .and_then(|c| c.parent_id)
            .and_then(|p| self.causes.get(&p))
        {
            chain.push(parent);
        }
        chain
    }

    /// A region, then every region above it (a cycle in bad data ends the walk).
    pub fn region_chain(&self, id: Option<i32>) -> Vec<&regions::Model> {
        let mut chain: Vec<&regions::Model> = Vec::new();
        let mut next = id;
        while let Some(region) = next.and_then(|id| self.regions.get(&id)) {
            if chain.iter().any(|r| r.id == region.id) {
                break;
            }
            chain.push(region);
            next = region.parent_id;
        }
        chain
    }

    /// Whether region `inner` is `outer` or lies inside it.
    pub fn within(&self, inner: Option<i32>, outer: i32) -> bool {
        self.region_chain(inner).iter().any(|r| r.id == outer)
    }

    /// The prongs that answer a kind of poverty, in id order.
    pub fn strategies_of_dimension(
        &self,
        dimension: i32,
    ) -> impl Iterator<Item = &strategies::Model> {
        self.strategies
            .values()
            .filter(move |s| s.dimension_id == Some(dimension))
    }

    /// The measures of a prong, in id order.
    pub fn measures_of_strategy(&self, strategy: i32) -> impl Iterator<Item = &measures::Model> {
        self.measures
            .values()
            .filter(move |m| m.strategy_id == strategy)
    }

    /// The largest survey share (%) the source gives for a cause or its factors.
    pub fn share(&self, cause: i32) -> f64 {
        let own = self.statistics_of_cause.get(&cause).into_iter().flatten();
        let children = self
            .children_of(cause)
            .flat_map(|c| self.statistics_of_cause.get(&c.id).into_iter().flatten());
        own.chain(children)
            .filter(|s| s.unit_zh == "%")
            .map(|s| s.value)
            .fold(0.0, f64::max)
    }

    /// The cause a statistic quantifies.
    pub fn cause_of_statistic(&self, statistic: i32) -> Option<i32> {
        self.statistics
            .iter()
            .find(|s| s.id == statistic)
            .and_then(|s| s.cause_id)
    }

    /// 2 for a case in the region or inside it, 1 for one in a neighbouring region (same parent),
    /// 0 otherwise.
    pub fn proximity(&self, region: i32, case_region: Option<i32>) -> u8 {
        if case_region.is_none() {
            return 0;
        }
        if self.within(case_region, region) {
            return 2;
        }
        let parent = self.regions.get(&region).and_then(|r| r.parent_id);
        match parent {
            Some(parent) if self.within(case_region, parent) => 1,
            _ => 0,
        }
    }
}

fn keyed<M>(rows: Vec<M>, id: fn(&M) -> i32) -> BTreeMap<i32, M> {
    rows.into_iter().map(|row| (id(&row), row)).collect()
}

/// The graph as of the change log's last position, shared by every reader until an edit moves
/// that position: a recommendation pays one cheap query instead of reading ten tables, and the
/// indexer, after an edit, reads the graph once for every document it rebuilds.
#[derive(Default)]
pub struct GraphCache(tokio::sync::Mutex<Option<Snapshot>>);

/// One state of the graph.
#[derive(Clone)]
pub struct Snapshot {
    pub position: i64,
    pub graph: Arc<Graph>,
}

impl GraphCache {
    /// The graph as the database holds it now. An edit committed while the graph loads is
    /// seen by the next reader, whose position differs.
    pub async fn current(&self, db: &DatabaseConnection) -> AppResult<Snapshot> {
        let position = crate::changes::last_position(db).await?;
        let mut slot = self.0.lock().await;
        if let Some(snapshot) = slot.as_ref().filter(|s| s.position == position) {
            return Ok(snapshot.clone());
        }
        let snapshot = Snapshot {
            position,
            graph: Arc::new(Graph::load(db).await?),
        };
        *slot = Some(snapshot.clone());
        Ok(snapshot)
    }
}
