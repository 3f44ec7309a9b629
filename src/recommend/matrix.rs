//! The evidence matrix: causes crossed with the prongs, where the knowledge base has answers
//! and where not.

use std::collections::HashMap;

use sea_orm::{DatabaseConnection, EntityTrait};

use entities::*;

use super::graph::GraphCache;
use crate::catalog;
use crate::error::AppResult;

/// One cell of the evidence matrix.
#[derive(Clone, Debug)]
pub struct MatrixCell {
    pub strategy: strategies::Model,
    pub measures: Vec<measures::Model>,
    pub cases: Vec<cases::Model>,
}

#[derive(Clone, Debug)]
pub struct MatrixRow {
    pub cause: causes::Model,
    pub cells: Vec<MatrixCell>,
}

/// Causes (groups, each followed by its factors) crossed with the prongs; `region` keeps only
/// the cases in that region or inside it.
pub async fn evidence_matrix(
    db: &DatabaseConnection,
    graphs: &GraphCache,
    region: Option<&str>,
    rows_of: Option<&str>,
) -> AppResult<Vec<MatrixRow>> {
    let snapshot = graphs.current(db).await?;
    let graph = &*snapshot.graph;
    let region = match region {
        Some(slug) => {
            Some(catalog::id_by_slug::<regions::Entity>(db, "filter.region", slug).await?)
        }
        None => None,
    };
    let only = match rows_of {
        Some(slug) => Some(catalog::id_by_slug::<causes::Entity>(db, "filter.cause", slug).await?),
        None => None,
    };
    let links = case_measures::Entity::find().all(db).await?;
    let all_cases: HashMap<i32, cases::Model> = cases::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut ordered: Vec<&causes::Model> = Vec::new();
    for group in graph.causes.values().filter(|c| c.parent_id.is_none()) {
        ordered.push(group);
        ordered.extend(
            graph
                .causes
                .values()
                .filter(|c| c.parent_id == Some(group.id)),
        );
    }
    let mut strategies: Vec<&strategies::Model> = graph.strategies.values().collect();
    strategies.sort_by_key(|s| (s.position, s.id));
    let mut rows = Vec::new();
    for cause in ordered {
        if only.is_some_and(|o| o != cause.id && cause.parent_id != Some(o)) {
            continue;
        }
        let family: Vec<i32> = std::iter::once(cause.id)
            .chain(
                graph
                    .causes
                    .values()
                    .filter(|c| c.parent_id == Some(cause.id))
                    .map(|c| c.id),
            )
            .collect();
        let cells = strategies
            .iter()
            .map(|strategy| {
                let measures: Vec<measures::Model> = graph
                    .measures
                    .values()
                    .filter(|m| {
                        m.strategy_id == strategy.id
                            && graph
                                .causes_of_measure
                                .get(&m.id)
                                .is_some_and(|ls| ls.iter().any(|l| family.contains(&l.cause_id)))
                    })
                    .cloned()
                    .collect();
                let mut cases: Vec<cases::Model> = links
                    .iter()
                    .filter(|l| measures.iter().any(|m| m.id == l.measure_id))
                    .filter_map(|l| all_cases.get(&l.case_id))
                    .filter(|c| {
                        region.is_none_or(|r| {
                            c.region_id
                                .is_some_and(|cr| graph.region_chain(cr).contains(&r))
                        })
                    })
                    .cloned()
                    .collect();
                cases.sort_by_key(|c| c.id);
                cases.dedup_by_key(|c| c.id);
                MatrixCell {
                    strategy: (*strategy).clone(),
                    measures,
                    cases,
                }
            })
            .collect();
        rows.push(MatrixRow {
            cause: cause.clone(),
            cells,
        });
    }
    Ok(rows)
}
