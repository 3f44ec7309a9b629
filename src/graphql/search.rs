//! The `search` field: its types, and the mapping between GraphQL and the search engine.

use std::collections::BTreeMap;

use async_graphql::connection::{CursorType, PageInfo};
use async_graphql::{ComplexObject, Context, Enum, InputObject, Result, ResultExt, SimpleObject};

use entities::{causes, dimensions, regions, strategies};

use super::context::db;
use super::id::{GlobalId, OffsetCursor, MAX_SEARCH_OFFSET};
use super::node::load_node;
use super::types::{Node, Text};
use crate::catalog::{self, Table};
use crate::domain::PageSize;
use crate::error::AppError;
use crate::search::{FacetField, Scope, Search, SearchRequest, UserQuery};

/// The kinds of records search returns.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::EntryKind")]
pub enum EntryKind {
    Case,
    Measure,
    Cause,
    Strategy,
    Dimension,
    Region,
    Statistic,
    /// A glossary term: a Chinese policy term with its English rendering.
    Glossary,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::Lang")]
pub enum Lang {
    Zh,
    En,
}

/// Narrows a search; every list is a set of accepted values (OR), the lists combine with AND.
/// Slugs of causes and regions include what is under them.
#[derive(InputObject, Default)]
pub struct SearchFilter {
    kinds: Option<Vec<EntryKind>>,
    strategies: Option<Vec<String>>,
    dimensions: Option<Vec<String>>,
    causes: Option<Vec<String>>,
    regions: Option<Vec<String>>,
}

#[derive(SimpleObject)]
pub struct SearchResult {
    /// How many records match, on all pages.
    total_count: u64,
    hits: Vec<SearchHit>,
    /// Counts per kind, strategy, dimension and region for the current query and filter.
    facets: Vec<Facet>,
    page_info: PageInfo,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct SearchHit {
    score: f64,
    kind: EntryKind,
    slug: String,
    title: Text,
    /// The matching fragments, HTML-escaped, with every match in `<mark>`.
    highlights: Vec<Highlight>,
    #[graphql(skip)]
    id: GlobalId,
}

#[ComplexObject]
impl SearchHit {
    /// The record itself.
    async fn node(&self, ctx: &Context<'_>) -> Result<Node> {
        load_node(ctx, self.id).await?.ok_or_else(|| {
            async_graphql::ErrorExtensions::extend(&AppError::NotFound(format!(
                "{} '{}' is no longer in the knowledge base",
                self.id.kind.type_name(),
                self.slug
            )))
        })
    }
}

#[derive(SimpleObject)]
pub struct Highlight {
    /// `title`, `summary`, `body`, or `text` (the Chinese text, matched character by character).
    field: String,
    lang: Lang,
    html: String,
}

#[derive(SimpleObject)]
pub struct Facet {
    /// `kind`, `strategy`, `dimension` or `region`.
    field: String,
    values: Vec<FacetValue>,
}

#[derive(SimpleObject)]
pub struct FacetValue {
    /// A kind (`case`, ...) or a slug.
    value: String,
    count: u64,
}

/// Every slug of a filter list must name a record: a typo should not look like "no results".
async fn known<E: Table>(
    ctx: &Context<'_>,
    field: &str,
    slugs: Option<Vec<String>>,
) -> Result<Vec<String>> {
    let slugs = slugs.unwrap_or_default();
    for slug in &slugs {
        catalog::id_by_slug::<E>(db(ctx), &format!("filter.{field}"), slug)
            .await
            .extend()?;
    }
    Ok(slugs)
}

pub(super) async fn search(
    ctx: &Context<'_>,
    query: String,
    filter: SearchFilter,
    first: Option<i32>,
    after: Option<String>,
) -> Result<SearchResult> {
    let query = UserQuery::parse(&query).extend()?;
    let size = PageSize::parse_or(first, 10).extend()?.get() as usize;
    let offset = after
        .map(|raw| OffsetCursor::decode_cursor(&raw))
        .transpose()
        .extend()?
        .map(|c| c.0)
        .unwrap_or(0);
    let mut facets = BTreeMap::new();
    facets.insert(
        FacetField::Strategy,
        known::<strategies::Entity>(ctx, "strategies", filter.strategies).await?,
    );
    facets.insert(
        FacetField::Dimension,
        known::<dimensions::Entity>(ctx, "dimensions", filter.dimensions).await?,
    );
    facets.insert(
        FacetField::Cause,
        known::<causes::Entity>(ctx, "causes", filter.causes).await?,
    );
    facets.insert(
        FacetField::Region,
        known::<regions::Entity>(ctx, "regions", filter.regions).await?,
    );
    // Facets and highlights cost work per matching record or hit: only when asked for.
    let wanted = ctx.look_ahead();
    let request = SearchRequest {
        query,
        kinds: filter
            .kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
        facets,
        limit: size,
        offset,
        without_facets: !wanted.field("facets").exists(),
        without_highlights: !wanted.field("hits").field("highlights").exists(),
        scope: Scope::Everything,
    };
    let started = std::time::Instant::now();
    let results = ctx
        .data_unchecked::<Search>()
        .search(request)
        .await
        .extend()?;
    if let Some(metrics) = ctx.data_opt::<std::sync::Arc<crate::metrics::Metrics>>() {
        metrics.search(started.elapsed().as_secs_f64());
    }

    let end = offset + results.hits.len();
    let page_info = PageInfo {
        has_previous_page: offset > 0,
        has_next_page: end < results.total && end < MAX_SEARCH_OFFSET,
        start_cursor: (offset > 0).then(|| OffsetCursor(offset).encode_cursor()),
        end_cursor: (!results.hits.is_empty()).then(|| OffsetCursor(end).encode_cursor()),
    };
    let hits = results
        .hits
        .into_iter()
        .map(|hit| SearchHit {
            score: f64::from(hit.score),
            kind: hit.kind.into(),
            id: GlobalId::new(hit.kind, hit.id),
            slug: hit.slug,
            title: Text {
                zh: hit.title.0,
                en: hit.title.1,
            },
            highlights: hit
                .highlights
                .into_iter()
                .map(|h| Highlight {
                    field: h.field.to_string(),
                    lang: h.lang.into(),
                    html: h.html,
                })
                .collect(),
        })
        .collect();
    let facets = results
        .facets
        .into_iter()
        .map(|(field, values)| Facet {
            field: field.as_str().to_string(),
            values: values
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect(),
        })
        .collect();
    Ok(SearchResult {
        total_count: results.total as u64,
        hits,
        facets,
        page_info,
    })
}
