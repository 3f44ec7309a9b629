//! The root Query: lists, filtered connections, lookups by slug and `node(id:)`.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    Context, Enum, InputObject, Object, OutputType, Result, ResultExt, SimpleObject, ID,
};
use sea_orm::DatabaseConnection;

use entities::{
    cases, causes, citations, dimensions, glossary_terms, indicators, measures, regions, sources,
    statistics, strategies,
};

use super::id::{Cursor, GlobalId, NodeKind};
use super::loaders::{loader, ById};
use super::types::*;
use crate::catalog::{self, CauseOptions, Filter, Page, RegionOptions, StatisticOptions, Table};
use crate::domain::{Order, OrderField, PageRequest, PageSize};

pub struct Query;

/// Filters the lists by slugs of linked records; a cause or region includes everything under it.
/// An unknown slug is `BAD_USER_INPUT`.
#[derive(InputObject, Default)]
pub struct RecordFilter {
    /// A strategy prong, such as `education`.
    strategy: Option<String>,
    /// A kind of poverty, such as `awareness-poverty`.
    dimension: Option<String>,
    /// A cause or a group of causes.
    cause: Option<String>,
    /// A region and the regions inside it.
    region: Option<String>,
}

impl From<Option<RecordFilter>> for Filter {
    fn from(filter: Option<RecordFilter>) -> Filter {
        let RecordFilter {
            strategy,
            dimension,
            cause,
            region,
        } = filter.unwrap_or_default();
        Filter {
            strategy,
            dimension,
            cause,
            region,
        }
    }
}

#[derive(SimpleObject)]
pub struct ConnectionTotals {
    /// How many records match the filter, on all pages.
    total_count: u64,
}

pub type KbConnection<T> = Connection<String, T, ConnectionTotals>;

/// What one record of a page costs extra when it is found by full-text search.
const SEARCH_COST: usize = 5;

/// The cost multiplier of a list field: the page size it asks for (clamped as `PageSize` does,
/// so a refused size does not count as a huge one).
pub(super) fn page_cost(first: Option<i32>, default: usize) -> usize {
    first.map_or(default, |n| n.clamp(1, PageSize::MAX as i32) as usize)
}

/// The cost multiplier of a connection read either way (`first` or `last`).
pub(super) fn connection_cost(first: Option<i32>, last: Option<i32>) -> usize {
    page_cost(first.or(last), PageSize::DEFAULT as usize)
}

/// What a connection is ordered by; the id breaks ties, in the same direction.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::OrderField")]
pub enum RecordOrderField {
    /// The Chinese title (or name, or label), in the database's collation.
    TitleZh,
    /// The English title (or name, or label).
    TitleEn,
    CreatedAt,
    UpdatedAt,
    /// The order of the knowledge base's files; records created later follow in creation order.
    SourceOrder,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::Direction")]
pub enum OrderDirection {
    #[graphql(name = "ASC")]
    Ascending,
    #[graphql(name = "DESC")]
    Descending,
}

/// The order of a connection, as GitHub's API spells it: `{field: UPDATED_AT, direction: DESC}`.
/// Without it a connection is in `SOURCE_ORDER`, ascending.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct RecordOrder {
    field: RecordOrderField,
    #[graphql(default_with = "OrderDirection::Ascending")]
    direction: OrderDirection,
}

impl From<Option<RecordOrder>> for Order {
    fn from(order: Option<RecordOrder>) -> Order {
        order.map_or_else(Order::default, |order| Order {
            field: order.field.into(),
            direction: order.direction.into(),
        })
    }
}

/// A page from a connection's Relay arguments (`first`/`after` forward, `last`/`before`
/// backward) and its order.
pub(super) fn page_request(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    order_by: Option<RecordOrder>,
) -> Result<PageRequest> {
    let order = Order::from(order_by);
    let position = |raw: Option<String>, argument| {
        raw.map(|raw| Cursor::decode(&raw, argument, order.field).map(|cursor| cursor.position))
            .transpose()
    };
    let after = position(after, "after").extend()?;
    let before = position(before, "before").extend()?;
    PageRequest::from_arguments(first, after, last, before, order).extend()
}

pub(super) fn connection<E: Table, T: OutputType + From<E::Model>>(
    field: OrderField,
    page: Page<E::Model>,
) -> KbConnection<T> {
    let mut connection = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ConnectionTotals {
            total_count: page.total_count,
        },
    );
    connection.edges = page
        .items
        .into_iter()
        .map(|row| {
            let cursor = Cursor {
                field,
                position: catalog::position::<E>(field, &row),
            };
            Edge::new(cursor.encode(), T::from(row))
        })
        .collect();
    connection
}

/// The record a global ID names, through the request's DataLoader.
pub(super) async fn load_node(
    ctx: &Context<'_>,
    GlobalId { kind, id }: GlobalId,
) -> Result<Option<Node>> {
    async fn load<E: Table, T: From<E::Model>>(
        ctx: &Context<'_>,
        id: i32,
        wrap: fn(T) -> Node,
    ) -> Result<Option<Node>>
    where
        E::Model: Sync,
    {
        Ok(loader(ctx)
            .load_one(ById::<E>::new(id))
            .await?
            .map(|row| wrap(T::from(row))))
    }
    match kind {
        NodeKind::Source => load::<sources::Entity, _>(ctx, id, Node::Source).await,
        NodeKind::Region => load::<regions::Entity, _>(ctx, id, Node::Region).await,
        NodeKind::Indicator => load::<indicators::Entity, _>(ctx, id, Node::Indicator).await,
        NodeKind::Dimension => load::<dimensions::Entity, _>(ctx, id, Node::Dimension).await,
        NodeKind::Cause => load::<causes::Entity, _>(ctx, id, Node::Cause).await,
        NodeKind::Strategy => load::<strategies::Entity, _>(ctx, id, Node::Strategy).await,
        NodeKind::Measure => load::<measures::Entity, _>(ctx, id, Node::Measure).await,
        NodeKind::Case => load::<cases::Entity, _>(ctx, id, Node::Case).await,
        NodeKind::Statistic => load::<statistics::Entity, _>(ctx, id, Node::Statistic).await,
        NodeKind::Citation => load::<citations::Entity, _>(ctx, id, Node::Citation).await,
        NodeKind::GlossaryTerm => {
            load::<glossary_terms::Entity, _>(ctx, id, Node::GlossaryTerm).await
        }
        NodeKind::Revision => Ok(crate::editing::revision(db(ctx), id)
            .await
            .extend()?
            .map(|row| Node::Revision(Revision(row)))),
    }
}

pub(super) fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

async fn lookup<E: Table, T: From<E::Model>>(ctx: &Context<'_>, slug: &str) -> Result<Option<T>> {
    Ok(catalog::by_slug::<E>(db(ctx), slug)
        .await
        .extend()?
        .map(T::from))
}

// A connection's resolver takes the Relay arguments, an order and its filters: more arguments
// than clippy likes, each of them part of the schema.
#[allow(clippy::too_many_arguments)]
#[Object]
impl Query {
    /// Any record by its global ID; null when no such record exists.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        load_node(ctx, GlobalId::decode(&id).extend()?).await
    }

    /// The revisions of a record (case, measure, cause, statistic or region), newest first (the
    /// newest 100); a deleted record keeps its history.
    async fn history(&self, ctx: &Context<'_>, id: ID) -> Result<Vec<Revision>> {
        let id = GlobalId::decode(&id).extend()?;
        let kind = id
            .kind
            .entry_kind()
            .filter(|kind| crate::editing::EDITABLE.contains(kind))
            .ok_or_else(|| {
                crate::error::AppError::bad_field(
                    "id",
                    "only cases, measures, causes, statistics and regions have a history",
                )
            })
            .extend()?;
        Ok(crate::editing::history(db(ctx), kind, id.id)
            .await
            .extend()?
            .into_iter()
            .map(Revision)
            .collect())
    }

    /// Full-text search over cases, measures, causes, strategies, dimensions, regions and
    /// statistics, in Chinese and English. Plain words rank records with all of them first;
    /// "quoted phrases" match exactly (Chinese too); -word excludes.
    #[graphql(complexity = "page_cost(first, 10) * (child_complexity + SEARCH_COST)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<super::search::SearchFilter>,
        #[graphql(default = 10, desc = "Page size, 1 to 100.")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<super::search::SearchResult> {
        super::search::search(ctx, query, filter.unwrap_or_default(), first, after).await
    }

    /// Recommended measures for a situation, each with the path through the knowledge base that
    /// justifies it (ranking: docs/recommendations.md).
    #[graphql(complexity = "10 * (child_complexity + SEARCH_COST)")]
    async fn recommend(
        &self,
        ctx: &Context<'_>,
        input: super::recommend::RecommendInput,
    ) -> Result<super::recommend::Recommendations> {
        super::recommend::recommend(ctx, input).await
    }

    /// Causes crossed with the five prongs: the measures and cases in each cell, and the gaps.
    #[graphql(complexity = "20 * (child_complexity + SEARCH_COST)")]
    async fn evidence_matrix(
        &self,
        ctx: &Context<'_>,
        filter: Option<super::recommend::EvidenceFilter>,
    ) -> Result<super::recommend::EvidenceMatrix> {
        super::recommend::evidence_matrix(ctx, filter.unwrap_or_default()).await
    }

    /// The five prongs of the strategy, in order.
    async fn strategies(&self, ctx: &Context<'_>) -> Result<Vec<Strategy>> {
        Ok(catalog::strategies(db(ctx))
            .await
            .extend()?
            .into_iter()
            .map(Strategy)
            .collect())
    }

    /// The four kinds of poverty.
    async fn dimensions(&self, ctx: &Context<'_>) -> Result<Vec<Dimension>> {
        Ok(catalog::dimensions(db(ctx))
            .await
            .extend()?
            .into_iter()
            .map(Dimension)
            .collect())
    }

    /// Chinese policy terms and how the English texts render them, in the order of the source.
    async fn glossary(&self, ctx: &Context<'_>) -> Result<Vec<GlossaryTerm>> {
        Ok(catalog::glossary(db(ctx))
            .await
            .extend()?
            .into_iter()
            .map(GlossaryTerm)
            .collect())
    }

    async fn glossary_term(&self, ctx: &Context<'_>, slug: String) -> Result<Option<GlossaryTerm>> {
        lookup::<glossary_terms::Entity, _>(ctx, &slug).await
    }

    /// The documents the knowledge base is built from.
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>> {
        Ok(catalog::sources(db(ctx))
            .await
            .extend()?
            .into_iter()
            .map(Source)
            .collect())
    }

    /// Causes (groups and their factors); `topLevel: true` lists only the groups.
    #[graphql(complexity = "connection_cost(first, last) * child_complexity")]
    async fn causes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100, after `after`.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100, before `before`.")] last: Option<i32>,
        before: Option<String>,
        order_by: Option<RecordOrder>,
        filter: Option<RecordFilter>,
        #[graphql(default = false)] top_level: bool,
    ) -> Result<KbConnection<Cause>> {
        let page = page_request(first, after, last, before, order_by)?;
        let field = page.order.field;
        let options = CauseOptions {
            top_level_only: top_level,
        };
        Ok(connection::<causes::Entity, _>(
            field,
            catalog::causes(db(ctx), &filter.into(), options, page)
                .await
                .extend()?,
        ))
    }

    /// Policy measures.
    #[graphql(complexity = "connection_cost(first, last) * child_complexity")]
    async fn measures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100, after `after`.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100, before `before`.")] last: Option<i32>,
        before: Option<String>,
        order_by: Option<RecordOrder>,
        filter: Option<RecordFilter>,
    ) -> Result<KbConnection<Measure>> {
        let page = page_request(first, after, last, before, order_by)?;
        let field = page.order.field;
        Ok(connection::<measures::Entity, _>(
            field,
            catalog::measures(db(ctx), &filter.into(), page)
                .await
                .extend()?,
        ))
    }

    /// Model cases.
    #[graphql(complexity = "connection_cost(first, last) * child_complexity")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100, after `after`.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100, before `before`.")] last: Option<i32>,
        before: Option<String>,
        order_by: Option<RecordOrder>,
        filter: Option<RecordFilter>,
    ) -> Result<KbConnection<Case>> {
        let page = page_request(first, after, last, before, order_by)?;
        let field = page.order.field;
        Ok(connection::<cases::Entity, _>(
            field,
            catalog::cases(db(ctx), &filter.into(), page)
                .await
                .extend()?,
        ))
    }

    /// Regions; `level` keeps only one administrative level (`district`, `village`, ...).
    #[graphql(complexity = "connection_cost(first, last) * child_complexity")]
    async fn regions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100, after `after`.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100, before `before`.")] last: Option<i32>,
        before: Option<String>,
        order_by: Option<RecordOrder>,
        filter: Option<RecordFilter>,
        level: Option<String>,
    ) -> Result<KbConnection<Region>> {
        let page = page_request(first, after, last, before, order_by)?;
        let field = page.order.field;
        let options = RegionOptions { level };
        Ok(connection::<regions::Entity, _>(
            field,
            catalog::regions(db(ctx), &filter.into(), options, page)
                .await
                .extend()?,
        ))
    }

    /// Survey figures; `figure` keeps only those of one figure of the source.
    #[graphql(complexity = "connection_cost(first, last) * child_complexity")]
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100, after `after`.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100, before `before`.")] last: Option<i32>,
        before: Option<String>,
        order_by: Option<RecordOrder>,
        filter: Option<RecordFilter>,
        figure: Option<i32>,
    ) -> Result<KbConnection<Statistic>> {
        let page = page_request(first, after, last, before, order_by)?;
        let field = page.order.field;
        let options = StatisticOptions { figure };
        Ok(connection::<statistics::Entity, _>(
            field,
            catalog::statistics(db(ctx), &filter.into(), options, page)
                .await
                .extend()?,
        ))
    }

    async fn source(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Source>> {
        lookup::<sources::Entity, _>(ctx, &slug).await
    }
    async fn strategy(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Strategy>> {
        lookup::<strategies::Entity, _>(ctx, &slug).await
    }
    async fn dimension(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Dimension>> {
        lookup::<dimensions::Entity, _>(ctx, &slug).await
    }
    async fn cause(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Cause>> {
        lookup::<causes::Entity, _>(ctx, &slug).await
    }
    async fn measure(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Measure>> {
        lookup::<measures::Entity, _>(ctx, &slug).await
    }
    async fn case(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Case>> {
        lookup::<cases::Entity, _>(ctx, &slug).await
    }
    async fn region(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Region>> {
        lookup::<regions::Entity, _>(ctx, &slug).await
    }
    async fn statistic(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Statistic>> {
        lookup::<statistics::Entity, _>(ctx, &slug).await
    }
}
