//! The read side of the knowledge base: lookups, ordered lists, filtered pages and batched
//! relations. It speaks sea-orm and domain types only; the GraphQL layer sits on top of it.

pub mod batch;
mod filter;
pub mod tables;

use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, Order,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

pub use filter::{id_by_slug, Filter, ResolvedFilter};
pub use tables::Table;

use crate::domain::{Direction, OrderField, PageRequest, Position, Slug, Towards};
use crate::error::AppResult;
use entities::{causes, dimensions, regions, sources, statistics, strategies};

/// One page of a list, with what a Relay connection needs to know about its neighbours.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_count: TotalCount,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// How many rows a list has on all its pages, counted only when someone asks: a count reads
/// every matching row (100,000 cases for an unfiltered list), and most pages never show it.
#[derive(Clone, Debug)]
pub struct TotalCount {
    db: DatabaseConnection,
    /// The list's rows, unordered and unpaged.
    rows: SelectStatement,
}

impl TotalCount {
    fn of<E: EntityTrait>(db: &DatabaseConnection, rows: sea_orm::Select<E>) -> TotalCount {
        TotalCount {
            db: db.clone(),
            rows: rows.into_query(),
        }
    }

    /// Runs the count (one statement).
    pub async fn get(&self) -> AppResult<u64> {
        let count = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(self.rows.clone(), Alias::new("matching"))
            .to_owned();
        let backend = self.db.get_database_backend();
        let row = self.db.query_one(backend.build(&count)).await?;
        let count = row.map(|row| row.try_get_by_index::<i64>(0)).transpose()?;
        Ok(count.map_or(0, |count| count.max(0) as u64))
    }
}

/// The row of `E` with this slug, or `None` (a malformed slug cannot name a row, so it is `None` too).
pub async fn by_slug<E: Table>(db: &DatabaseConnection, slug: &str) -> AppResult<Option<E::Model>> {
    if Slug::parse(slug).is_err() {
        return Ok(None);
    }
    Ok(E::find().filter(E::slug_column().eq(slug)).one(db).await?)
}

/// The row of `E` with this id, or `None`.
pub async fn by_id<E: Table, C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Option<E::Model>> {
    Ok(E::find().filter(E::id_column().eq(id)).one(db).await?)
}

/// The five prongs of the strategy, in the paper's order.
pub async fn strategies(db: &DatabaseConnection) -> AppResult<Vec<strategies::Model>> {
    Ok(strategies::Entity::find()
        .order_by_asc(strategies::Column::Position)
        .order_by_asc(strategies::Column::Id)
        .all(db)
        .await?)
}

pub async fn dimensions(db: &DatabaseConnection) -> AppResult<Vec<dimensions::Model>> {
    Ok(dimensions::Entity::find()
        .order_by_asc(dimensions::Column::Id)
        .all(db)
        .await?)
}

pub async fn glossary(db: &DatabaseConnection) -> AppResult<Vec<entities::glossary_terms::Model>> {
    Ok(entities::glossary_terms::Entity::find()
        .order_by_asc(entities::glossary_terms::Column::Id)
        .all(db)
        .await?)
}

pub async fn sources(db: &DatabaseConnection) -> AppResult<Vec<sources::Model>> {
    Ok(sources::Entity::find()
        .order_by_asc(sources::Column::Id)
        .all(db)
        .await?)
}

/// Options of the causes list beyond the shared filter.
#[derive(Clone, Copy, Debug, Default)]
pub struct CauseOptions {
    /// Only the groups (causes without a parent).
    pub top_level_only: bool,
}

pub async fn causes(
    db: &DatabaseConnection,
    filter: &Filter,
    options: CauseOptions,
    page: PageRequest,
) -> AppResult<Page<causes::Model>> {
    let mut condition = filter.resolve(db).await?.causes();
    if options.top_level_only {
        condition = condition.add(causes::Column::ParentId.is_null());
    }
    paginate::<causes::Entity>(db, condition, page).await
}

pub async fn measures(
    db: &DatabaseConnection,
    filter: &Filter,
    page: PageRequest,
) -> AppResult<Page<entities::measures::Model>> {
    let condition = filter.resolve(db).await?.measures();
    paginate::<entities::measures::Entity>(db, condition, page).await
}

pub async fn cases(
    db: &DatabaseConnection,
    filter: &Filter,
    page: PageRequest,
) -> AppResult<Page<entities::cases::Model>> {
    let condition = filter.resolve(db).await?.cases();
    paginate::<entities::cases::Entity>(db, condition, page).await
}

/// The cases that apply measure `measure_id`, a page at a time (for a measure that many cases
/// apply: the plain list is bounded).
pub async fn cases_of_measure(
    db: &DatabaseConnection,
    measure_id: i32,
    page: PageRequest,
) -> AppResult<Page<entities::cases::Model>> {
    use entities::{case_measures, cases};
    let applying = sea_orm::sea_query::Query::select()
        .column(case_measures::Column::CaseId)
        .from(case_measures::Entity)
        .and_where(case_measures::Column::MeasureId.eq(measure_id))
        .to_owned();
    let condition = Condition::all().add(cases::Column::Id.in_subquery(applying));
    paginate::<cases::Entity>(db, condition, page).await
}

/// The cases located in region `region_id` itself (as `Region.cases`), a page at a time.
pub async fn cases_in_region(
    db: &DatabaseConnection,
    region_id: i32,
    page: PageRequest,
) -> AppResult<Page<entities::cases::Model>> {
    use entities::cases;
    let condition = Condition::all().add(cases::Column::RegionId.eq(region_id));
    paginate::<cases::Entity>(db, condition, page).await
}

/// Options of the regions list beyond the shared filter.
#[derive(Clone, Debug, Default)]
pub struct RegionOptions {
    /// Only regions of this administrative level (`district`, `village`, ...).
    pub level: Option<String>,
}

pub async fn regions(
    db: &DatabaseConnection,
    filter: &Filter,
    options: RegionOptions,
    page: PageRequest,
) -> AppResult<Page<regions::Model>> {
    let mut condition = filter.resolve(db).await?.regions();
    if let Some(level) = options.level {
        condition = condition.add(regions::Column::Level.eq(level));
    }
    paginate::<regions::Entity>(db, condition, page).await
}

/// Options of the statistics list beyond the shared filter.
#[derive(Clone, Copy, Debug, Default)]
pub struct StatisticOptions {
    /// Only the figures shown in this figure of the source.
    pub figure: Option<i32>,
}

pub async fn statistics(
    db: &DatabaseConnection,
    filter: &Filter,
    options: StatisticOptions,
    page: PageRequest,
) -> AppResult<Page<statistics::Model>> {
    let mut condition = filter.resolve(db).await?.statistics();
    if let Some(figure) = options.figure {
        condition = condition.add(statistics::Column::Figure.eq(figure));
    }
    paginate::<statistics::Entity>(db, condition, page).await
}

/// Keyset pagination in any `Order`: one page plus one row to learn whether more follow, read
/// from the page's position towards one end of the list (and the count of all pages, for when
/// it is asked). The position is a key and an id, so a page starts where the last one stopped
/// even when rows were edited meanwhile.
async fn paginate<E: Table>(
    db: &DatabaseConnection,
    condition: Condition,
    page: PageRequest,
) -> AppResult<Page<E::Model>>
where
    E::Model: Sync,
{
    let total_count = TotalCount::of(db, E::find().filter(condition.clone()));
    let reading_back = page.towards == Towards::Start;
    // The order rows are read in: the list's order, or its reverse for a page before a position.
    let ascending = (page.order.direction == Direction::Ascending) != reading_back;
    let key = sort_key::<E>(page.order.field);
    let mut query = E::find().filter(condition);
    if let Some(from) = &page.from {
        query = query.filter(beyond::<E>(key, from, ascending));
    }
    let sort = if ascending { Order::Asc } else { Order::Desc };
    if let Some(key) = key {
        query = query.order_by(key, sort.clone());
    }
    query = query.order_by(E::id_column(), sort);
    let size = page.size.get();
    let mut items = query.limit(size + 1).all(db).await?;
    let more = items.len() as u64 > size;
    items.truncate(size as usize);
    if reading_back {
        items.reverse();
    }
    // Past the position there is at least the row the position names (unless it was deleted
    // since: the connection specification allows this cheap answer).
    let from_a_position = page.from.is_some();
    Ok(Page {
        items,
        total_count,
        has_next_page: if reading_back { from_a_position } else { more },
        has_previous_page: if reading_back { more } else { from_a_position },
    })
}

/// The column a list is ordered by before the id; `None` for the source order (the id alone).
fn sort_key<E: Table>(field: OrderField) -> Option<E::Column> {
    match field {
        OrderField::TitleZh => Some(E::title_columns().0),
        OrderField::TitleEn => Some(E::title_columns().1),
        OrderField::CreatedAt => Some(E::created_at_column()),
        OrderField::UpdatedAt => Some(E::updated_at_column()),
        OrderField::SourceOrder => None,
    }
}

/// The rows after `from` in the order (key, id), ascending or descending.
fn beyond<E: Table>(key: Option<E::Column>, from: &Position, ascending: bool) -> Condition {
    let id = E::id_column();
    let id_beyond = if ascending {
        id.gt(from.id)
    } else {
        id.lt(from.id)
    };
    match (key, &from.key) {
        (Some(key), Some(value)) => {
            let key_beyond = if ascending {
                key.gt(value.as_str())
            } else {
                key.lt(value.as_str())
            };
            Condition::any()
                .add(key_beyond)
                .add(Condition::all().add(key.eq(value.as_str())).add(id_beyond))
        }
        _ => Condition::all().add(id_beyond),
    }
}

/// Where `row` stands in a list ordered by `field`: what a cursor to it must carry.
pub fn position<E: Table>(field: OrderField, row: &E::Model) -> Position {
    use sea_orm::sea_query::ValueType;
    // Every sort key is a non-null text column (titles, RFC 3339 times), so this is never None.
    let key = sort_key::<E>(field)
        .and_then(|column| <String as ValueType>::try_from(row.get(column)).ok());
    Position {
        key,
        id: E::id_of(row),
    }
}
