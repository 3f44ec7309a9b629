//! Filters of the list connections. A filter names records by slug; it is resolved once to
//! ids (a cause or region also stands for everything under it) and then becomes SQL
//! conditions that follow the knowledge base's links:
//!
//! - a measure belongs to a strategy, answers a dimension through its strategy, addresses
//!   causes, and is at work in the regions of the cases that exemplify it;
//! - a case inherits strategy, dimension and cause from its measures; its region is its own;
//! - a cause matches a dimension it feeds, and a strategy or region through its measures;
//! - a region matches what its cases match;
//! - a statistic matches its cause or dimension (and what they link to), and its region.

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use entities::{
    case_measures, cases, cause_dimensions, causes, dimensions, measure_causes, measures, regions,
    statistics, strategies,
};

use super::tables::Table;
use crate::domain::Slug;
use crate::error::{AppError, AppResult};

/// What a client filters by: slugs of a strategy, a dimension, a cause and a region.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub strategy: Option<String>,
    pub dimension: Option<String>,
    pub cause: Option<String>,
    pub region: Option<String>,
}

/// A filter with its slugs resolved to ids; `causes` and `regions` include descendants.
#[derive(Clone, Debug, Default)]
pub struct ResolvedFilter {
    strategy: Option<i32>,
    dimension: Option<i32>,
    causes: Option<Vec<i32>>,
    regions: Option<Vec<i32>>,
}

impl Filter {
    /// Resolves every slug; an unknown or malformed one is `BAD_USER_INPUT` naming it.
    pub async fn resolve(&self, db: &DatabaseConnection) -> AppResult<ResolvedFilter> {
        let strategy = match &self.strategy {
            Some(slug) => {
                Some(id_by_slug::<strategies::Entity>(db, "filter.strategy", slug).await?)
            }
            None => None,
        };
        let dimension = match &self.dimension {
            Some(slug) => {
                Some(id_by_slug::<dimensions::Entity>(db, "filter.dimension", slug).await?)
            }
            None => None,
        };
        let causes = match &self.cause {
            Some(slug) => {
                let root = id_by_slug::<causes::Entity>(db, "filter.cause", slug).await?;
                Some(
                    with_descendants(db, root, causes::Column::Id, causes::Column::ParentId)
                        .await?,
                )
            }
            None => None,
        };
        let regions = match &self.region {
            Some(slug) => {
                let root = id_by_slug::<regions::Entity>(db, "filter.region", slug).await?;
                Some(
                    with_descendants(db, root, regions::Column::Id, regions::Column::ParentId)
                        .await?,
                )
            }
            None => None,
        };
        Ok(ResolvedFilter {
            strategy,
            dimension,
            causes,
            regions,
        })
    }
}

/// The id of the record of `E` a client names by slug, for every filter and input that names
/// records (list filters, search filters, recommendations, the evidence matrix): a malformed or
/// unknown slug is `BAD_USER_INPUT` on `field`, naming the slug.
pub async fn id_by_slug<E: Table>(
    db: &DatabaseConnection,
    field: &str,
    raw: &str,
) -> AppResult<i32> {
    let what = E::KIND.label();
    let slug = Slug::parse(raw)
        .map_err(|_| AppError::bad_field(field, format!("'{raw}' is not a valid {what} slug")))?;
    let found: Option<i32> = E::find()
        .select_only()
        .column(E::id_column())
        .filter(E::slug_column().eq(slug.as_str()))
        .into_tuple()
        .one(db)
        .await?;
    found.ok_or_else(|| AppError::bad_field(field, format!("there is no {what} with slug '{raw}'")))
}

/// The id and every id below it in a tree stored as `parent` pointers (one statement a level).
async fn with_descendants<C: ColumnTrait>(
    db: &DatabaseConnection,
    root: i32,
    id: C,
    parent: C,
) -> AppResult<Vec<i32>>
where
    C::EntityName: EntityTrait<Column = C>,
{
    let mut all = vec![root];
    let mut frontier = vec![root];
    while !frontier.is_empty() {
        let next: Vec<i32> = <C::EntityName as EntityTrait>::find()
            .select_only()
            .column(id)
            .filter(parent.is_in(frontier))
            .into_tuple()
            .all(db)
            .await?;
        // A cycle (a row that is its own ancestor) must not loop forever.
        frontier = next
            .into_iter()
            .filter(|child| !all.contains(child))
            .collect();
        all.extend(&frontier);
    }
    Ok(all)
}

fn select<C: ColumnTrait>(column: C, condition: Condition) -> SelectStatement {
    Query::select()
        .column(column)
        .from(column.entity_name())
        .cond_where(condition)
        .to_owned()
}

impl ResolvedFilter {
    fn only_regions(&self) -> ResolvedFilter {
        ResolvedFilter {
            regions: self.regions.clone(),
            ..Default::default()
        }
    }

    fn without_regions(&self) -> ResolvedFilter {
        ResolvedFilter {
            regions: None,
            ..self.clone()
        }
    }

    fn links_beyond_regions(&self) -> bool {
        self.strategy.is_some() || self.dimension.is_some() || self.causes.is_some()
    }

    pub fn measures(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(strategy) = self.strategy {
            cond = cond.add(measures::Column::StrategyId.eq(strategy));
        }
        if let Some(dimension) = self.dimension {
            let answering = select(
                strategies::Column::Id,
                Condition::all().add(strategies::Column::DimensionId.eq(dimension)),
            );
            cond = cond.add(measures::Column::StrategyId.in_subquery(answering));
        }
        if let Some(causes) = &self.causes {
            let addressing = select(
                measure_causes::Column::MeasureId,
                Condition::all().add(measure_causes::Column::CauseId.is_in(causes.clone())),
            );
            cond = cond.add(measures::Column::Id.in_subquery(addressing));
        }
        if self.regions.is_some() {
            let cases_here = select(cases::Column::Id, self.only_regions().cases());
            let exemplified = select(
                case_measures::Column::MeasureId,
                Condition::all().add(case_measures::Column::CaseId.in_subquery(cases_here)),
            );
            cond = cond.add(measures::Column::Id.in_subquery(exemplified));
        }
        cond
    }

    pub fn cases(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(regions) = &self.regions {
            cond = cond.add(cases::Column::RegionId.is_in(regions.clone()));
        }
        if self.links_beyond_regions() {
            let measures = select(measures::Column::Id, self.without_regions().measures());
            let exemplifying = select(
                case_measures::Column::CaseId,
                Condition::all().add(case_measures::Column::MeasureId.in_subquery(measures)),
            );
            cond = cond.add(cases::Column::Id.in_subquery(exemplifying));
        }
        cond
    }

    pub fn causes(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(causes) = &self.causes {
            cond = cond.add(causes::Column::Id.is_in(causes.clone()));
        }
        if let Some(dimension) = self.dimension {
            let feeding = select(
                cause_dimensions::Column::CauseId,
                Condition::all().add(cause_dimensions::Column::DimensionId.eq(dimension)),
            );
            cond = cond.add(causes::Column::Id.in_subquery(feeding));
        }
        if self.strategy.is_some() || self.regions.is_some() {
            let through = ResolvedFilter {
                strategy: self.strategy,
                regions: self.regions.clone(),
                ..Default::default()
            };
            let measures = select(measures::Column::Id, through.measures());
            let addressed = select(
                measure_causes::Column::CauseId,
                Condition::all().add(measure_causes::Column::MeasureId.in_subquery(measures)),
            );
            cond = cond.add(causes::Column::Id.in_subquery(addressed));
        }
        cond
    }

    pub fn regions(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(regions) = &self.regions {
            cond = cond.add(regions::Column::Id.is_in(regions.clone()));
        }
        if self.links_beyond_regions() {
            let with_cases = select(cases::Column::RegionId, self.without_regions().cases());
            cond = cond.add(regions::Column::Id.in_subquery(with_cases));
        }
        cond
    }

    pub fn statistics(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(causes) = &self.causes {
            cond = cond.add(statistics::Column::CauseId.is_in(causes.clone()));
        }
        if let Some(dimension) = self.dimension {
            let feeding = select(
                cause_dimensions::Column::CauseId,
                Condition::all().add(cause_dimensions::Column::DimensionId.eq(dimension)),
            );
            cond = cond.add(
                Condition::any()
                    .add(statistics::Column::DimensionId.eq(dimension))
                    .add(statistics::Column::CauseId.in_subquery(feeding)),
            );
        }
        if let Some(strategy) = self.strategy {
            let only_strategy = ResolvedFilter {
                strategy: Some(strategy),
                ..Default::default()
            };
            let causes = select(causes::Column::Id, only_strategy.causes());
            let answered = select(
                strategies::Column::DimensionId,
                Condition::all().add(strategies::Column::Id.eq(strategy)),
            );
            cond = cond.add(
                Condition::any()
                    .add(statistics::Column::CauseId.in_subquery(causes))
                    .add(statistics::Column::DimensionId.in_subquery(answered)),
            );
        }
        if let Some(regions) = &self.regions {
            cond = cond.add(statistics::Column::RegionId.is_in(regions.clone()));
        }
        cond
    }
}
