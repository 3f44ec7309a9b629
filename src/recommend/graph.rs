//! The whole (small) graph the ranking walks, read once per request: causes, kinds of poverty,
//! prongs, measures, their links and survey figures, and every record's names and aliases.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;

use super::concepts::Lexicon;
use std::collections::{BTreeMap, HashMap};

use sea_orm::{DatabaseConnection, EntityTrait};

use entities::*;

use crate::catalog::tables::LinkProvenance;
use crate::catalog::Table;
use crate::error::AppResult;
use crate::kb::Aliases;

pub struct Graph {
    pub causes: BTreeMap<i32, causes::Model>,
    pub dimensions: BTreeMap<i32, dimensions::Model>,
    pub strategies: BTreeMap<i32, strategies::Model>,
    pub measures: BTreeMap<i32, measures::Model>,
    pub glossary: BTreeMap<i32, glossary_terms::Model>,
    pub regions: HashMap<i32, regions::Model>,
    pub dims_of_cause: HashMap<i32, Vec<i32>>,
    /// How the source supports each (cause, dimension) link.
    pub dimension_links: HashMap<(i32, i32), LinkProvenance>,
    pub causes_of_measure: HashMap<i32, Vec<measure_causes::Model>>,
    pub statistics_of_cause: HashMap<i32, Vec<statistics::Model>>,
    /// Aliases by (table kind, id).
    pub aliases: HashMap<(&'static str, i32), Aliases>,
}

async fn all<E: Table>(db: &DatabaseConnection) -> AppResult<BTreeMap<i32, E::Model>> {
    Ok(E::find()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (E::id_of(&row), row))
        .collect())
}

impl Graph {
    pub async fn load(db: &DatabaseConnection) -> AppResult<Graph> {
        let mut dims_of_cause: HashMap<i32, Vec<i32>> = HashMap::new();
        let mut dimension_links = HashMap::new();
        for link in cause_dimensions::Entity::find().all(db).await? {
            dimension_links.insert(
                (link.cause_id, link.dimension_id),
                LinkProvenance::of(&link.rationale_zh, &link.rationale_en, link.citation),
            );
            dims_of_cause
                .entry(link.cause_id)
                .or_default()
                .push(link.dimension_id);
        }
        let mut causes_of_measure: HashMap<i32, Vec<measure_causes::Model>> = HashMap::new();
        for link in measure_causes::Entity::find().all(db).await? {
            causes_of_measure
                .entry(link.measure_id)
                .or_default()
                .push(link);
        }
        let mut statistics_of_cause: HashMap<i32, Vec<statistics::Model>> = HashMap::new();
        for statistic in statistics::Entity::find().all(db).await? {
            if let Some(cause) = statistic.cause_id {
                statistics_of_cause
                    .entry(cause)
                    .or_default()
                    .push(statistic);
            }
        }
        let mut aliases = HashMap::new();
        for kind in [
            causes::Entity::KIND,
            dimensions::Entity::KIND,
            strategies::Entity::KIND,
            measures::Entity::KIND,
            glossary_terms::Entity::KIND,
        ] {
            for (id, list) in crate::kb::aliases::of_kind(db, kind, None).await? {
                aliases.insert((kind, id), list);
            }
        }
        Ok(Graph {
            causes: all::<causes::Entity>(db).await?,
            dimensions: all::<dimensions::Entity>(db).await?,
            strategies: all::<strategies::Entity>(db).await?,
            measures: all::<measures::Entity>(db).await?,
            glossary: all::<glossary_terms::Entity>(db).await?,
            regions: all::<regions::Entity>(db).await?.into_iter().collect(),
            dims_of_cause,
            dimension_links,
            causes_of_measure,
            statistics_of_cause,
            aliases,
        })
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
        self.statistics_of_cause
            .iter()
            .find(|(_, list)| list.iter().any(|s| s.id == statistic))
            .map(|(cause, _)| *cause)
    }

    pub fn region_chain(&self, id: i32) -> Vec<i32> {
        let mut chain = Vec::new();
        let mut next = Some(id);
        while let Some(region) = next.and_then(|id| self.regions.get(&id)) {
            if chain.contains(&region.id) {
                break;
            }
            chain.push(region.id);
            next = region.parent_id;
        }
        chain
    }

    /// 2 for a case in the region or inside it, 1 for one in a neighbouring region (same parent),
    /// 0 otherwise.
    pub fn proximity(&self, region: i32, case_region: Option<i32>) -> u8 {
        let Some(case_region) = case_region else {
            return 0;
        };
        let chain = self.region_chain(case_region);
        if chain.contains(&region) {
            return 2;
        }
        let parent = self.regions.get(&region).and_then(|r| r.parent_id);
        match parent {
            Some(parent) if chain.contains(&parent) => 1,
            _ => 0,
        }
    }
}

/// The graph as of the change log's last position, shared by every request until an edit moves
/// that position: a request pays one cheap query instead of reading nine tables, and the concept
/// lexicon is built once per state of the knowledge base.
#[derive(Default)]
pub struct GraphCache(tokio::sync::Mutex<Option<Snapshot>>);

/// One state of the graph, with its lexicon built on first use.
#[derive(Clone)]
pub struct Snapshot {
    position: i64,
    pub graph: Arc<Graph>,
    lexicon: Arc<OnceLock<Arc<Lexicon>>>,
}

impl Snapshot {
    pub fn lexicon(&self, jieba: &Jieba) -> Arc<Lexicon> {
        self.lexicon
            .get_or_init(|| Arc::new(Lexicon::build(jieba, &self.graph)))
            .clone()
    }
}

impl GraphCache {
    /// The graph as the database holds it now. An edit committed while the graph loads is
    /// seen by the next request, whose position differs.
    pub async fn current(&self, db: &DatabaseConnection) -> AppResult<Snapshot> {
        let position = crate::changes::last_position(db).await?;
        let mut slot = self.0.lock().await;
        if let Some(snapshot) = slot.as_ref().filter(|s| s.position == position) {
            return Ok(snapshot.clone());
        }
        let snapshot = Snapshot {
            position,
            graph: Arc::new(Graph::load(db).await?),
            lexicon: Arc::default(),
        };
        *slot = Some(snapshot.clone());
        Ok(snapshot)
    }
}
