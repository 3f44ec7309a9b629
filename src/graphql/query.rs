//! The root Query: lists, filtered connections, lookups by slug and `node(id:)`.

use async_graphql::{Context, InputObject, Object, Result, ResultExt, ID};

use entities::{
    cases, causes, dimensions, glossary_terms, measures, regions, sources, statistics, strategies,
};

use super::connection::{
    connection, connection_cost, page_cost, page_request, KbConnection, RecordOrder,
};
use super::context::db;
use super::id::GlobalId;
use super::node::load_node;
use super::types::*;
use crate::catalog::{self, CauseOptions, Filter, RegionOptions, StatisticOptions, Table};

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

/// What one record of a page costs extra when it is found by full-text search.
const SEARCH_COST: usize = 5;

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
        let kind = crate::domain::EntryKind::of(id.kind)
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
