//! The evidence matrix: causes crossed with the prongs, where the knowledge base has answers
//! and where not.

use std::collections::HashMap;

use sea_orm::DatabaseConnection;

use entities::*;

use crate::catalog;
use crate::catalog::tables::{CasesOfMeasure, LinkProvenance};
use crate::error::AppResult;
use crate::graph::{Graph, GraphCache};

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
/// the cases in that region or inside it, `rows_of` only a cause and its factors.
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
    let measure_ids: Vec<i32> = graph.measures.keys().copied().collect();
    let cases_of = catalog::batch::links::<CasesOfMeasure>(db, &measure_ids).await?;
    let mut strategies: Vec<&strategies::Model> = graph.strategies.values().collect();
    strategies.sort_by_key(|s| (s.position, s.id));
    let rows = row_causes(graph, only)
        .into_iter()
        .map(|cause| {
            let family: Vec<i32> = std::iter::once(cause.id)
                .chain(graph.children_of(cause.id).map(|c| c.id))
                .collect();
            let cells = strategies
                .iter()
                .map(|strategy| cell(graph, strategy, &family, &cases_of, region))
                .collect();
            MatrixRow {
                cause: cause.clone(),
                cells,
            }
        })
        .collect();
    Ok(rows)
}

/// The rows' causes: each group followed by its factors, or only `only` and its factors.
fn row_causes(graph: &Graph, only: Option<i32>) -> Vec<&causes::Model> {
    let mut ordered = Vec::new();
    for group in graph.causes.values().filter(|c| c.parent_id.is_none()) {
        ordered.push(group);
        ordered.extend(graph.children_of(group.id));
    }
    ordered.retain(|cause| only.is_none_or(|o| o == cause.id || cause.parent_id == Some(o)));
    ordered
}

/// The measures of a prong that answer a cause or one of its factors (`family`), and the
/// cases (in `region`, when given) that apply them.
fn cell(
    graph: &Graph,
    strategy: &strategies::Model,
    family: &[i32],
    cases_of: &HashMap<i32, Vec<(cases::Model, LinkProvenance)>>,
    region: Option<i32>,
) -> MatrixCell {
    let measures: Vec<measures::Model> = graph
        .measures_of_strategy(strategy.id)
        .filter(|m| {
            graph
                .causes_of_measure
                .get(&m.id)
                .is_some_and(|links| links.iter().any(|l| family.contains(&l.cause_id)))
        })
        .cloned()
        .collect();
    let mut cases: Vec<cases::Model> = measures
        .iter()
        .flat_map(|m| cases_of.get(&m.id).into_iter().flatten())
        .map(|(case, _)| case)
        .filter(|c| region.is_none_or(|r| c.region_id.is_some() && graph.within(c.region_id, r)))
        .cloned()
        .collect();
    cases.sort_by_key(|c| c.id);
    cases.dedup_by_key(|c| c.id);
    MatrixCell {
        strategy: strategy.clone(),
        measures,
        cases,
    }
}
