//! `recommend` and `evidenceMatrix`: thin resolvers over `crate::recommend`.

use async_graphql::{ComplexObject, Context, InputObject, Result, ResultExt, SimpleObject};

use super::context::db;
use super::id::GlobalId;
use super::node::load_node;
use super::search::EntryKind;
use super::types::{Case, Cause, Measure, Node, Provenance, Statistic, Strategy, Text};
use crate::recommend::{self, PathStep as DomainStep, RecommendInput as DomainInput};
use crate::search::Search;

/// A situation: causes by slug, a description in Chinese or English, or both.
#[derive(InputObject)]
pub struct RecommendInput {
    /// Cause slugs, such as `weak-will`.
    causes: Option<Vec<String>>,
    /// The situation in the planner's words, such as "很多贫困户因病致贫，孩子辍学".
    text: Option<String>,
    /// A region slug: cases in or near it come first.
    region: Option<String>,
    /// How many measures to recommend, 1 to 50.
    #[graphql(default = 10)]
    first: i32,
}

#[derive(SimpleObject)]
pub struct Recommendations {
    /// The words of the description as they were read: simplified, half-width, lowercased,
    /// punctuation dropped.
    read: Vec<String>,
    /// Whether anything in the input matched the knowledge base. When false, nothing is
    /// recommended: the description names no cause, kind of poverty, prong or measure.
    understood: bool,
    /// The causes the input was read as, strongest first.
    matched_causes: Vec<CauseMatch>,
    /// The names and aliases the description matched, with the record each belongs to.
    matched_terms: Vec<MatchedTerm>,
    items: Vec<Recommendation>,
}

/// A word or phrase of the description that names a record of the knowledge base.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MatchedTerm {
    /// As the description has it (simplified, lowercased).
    term: String,
    /// The record's own name or alias that it matched.
    name: String,
    kind: EntryKind,
    slug: String,
    title: Text,
    #[graphql(skip)]
    id: GlobalId,
}

#[ComplexObject]
impl MatchedTerm {
    /// The record itself.
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        load_node(ctx, self.id).await
    }
}

#[derive(SimpleObject)]
pub struct CauseMatch {
    cause: Cause,
    /// 1 for a named cause or the clearest match of a description; relative below that.
    score: f64,
    /// The words of the description that matched this cause (its names and aliases, or words
    /// of its records).
    matched_terms: Vec<String>,
}

#[derive(SimpleObject)]
pub struct Recommendation {
    measure: Measure,
    strategy: Strategy,
    score: f64,
    /// cause -> kind of poverty -> prong -> measure -> case.
    paths: Vec<Path>,
    /// Model cases of the measure, those in or near the given region first.
    cases: Vec<Case>,
    /// Survey figures behind the causes the measure addresses.
    evidence: Vec<Statistic>,
    /// Why, composed from the records on the paths.
    rationale: Text,
}

#[derive(SimpleObject)]
pub struct Path {
    steps: Vec<PathStep>,
}

#[derive(SimpleObject)]
pub struct PathStep {
    kind: EntryKind,
    slug: String,
    title: Text,
    /// How the source supports the link from the previous step to this one; null where the
    /// step follows the strategy's own structure (a kind of poverty and its prong).
    provenance: Option<Provenance>,
}

impl From<DomainStep> for PathStep {
    fn from(step: DomainStep) -> Self {
        PathStep {
            kind: step.kind.into(),
            slug: step.slug,
            title: Text {
                zh: step.title.0,
                en: step.title.1,
            },
            provenance: step
                .link
                .map(|link| Provenance::new(link.owner.record(), link.owner_id, link.provenance)),
        }
    }
}

/// Most cause slugs one request may name (the knowledge base has a few dozen causes at most).
const MAX_CAUSES: usize = 50;

pub(super) async fn recommend(ctx: &Context<'_>, input: RecommendInput) -> Result<Recommendations> {
    if !(1..=50).contains(&input.first) {
        return Err(async_graphql::ErrorExtensions::extend(
            &crate::error::AppError::bad_field(
                "input.first",
                format!("`first` must be between 1 and 50, not {}", input.first),
            ),
        ));
    }
    let causes = input.causes.unwrap_or_default();
    if causes.len() > MAX_CAUSES {
        return Err(async_graphql::ErrorExtensions::extend(
            &crate::error::AppError::bad_field(
                "input.causes",
                format!(
                    "{} causes given; at most {MAX_CAUSES} are allowed",
                    causes.len()
                ),
            ),
        ));
    }
    let domain = DomainInput {
        causes,
        text: input.text,
        region: input.region,
        first: input.first as usize,
    };
    let result = recommend::recommend(
        db(ctx),
        ctx.data_unchecked::<Search>(),
        ctx.data_unchecked::<recommend::Lexicons>(),
        domain,
    )
    .await
    .extend()?;
    Ok(Recommendations {
        read: result.read,
        understood: result.understood,
        matched_terms: result
            .matched_terms
            .into_iter()
            .map(|m| MatchedTerm {
                term: m.term,
                name: m.name,
                kind: m.kind.into(),
                slug: m.slug,
                title: Text {
                    zh: m.title.0,
                    en: m.title.1,
                },
                id: GlobalId::new(m.kind, m.id),
            })
            .collect(),
        matched_causes: result
            .matched_causes
            .into_iter()
            .map(|m| CauseMatch {
                cause: Cause(m.cause),
                score: m.score,
                matched_terms: m.matched_terms,
            })
            .collect(),
        items: result
            .items
            .into_iter()
            .map(|r| Recommendation {
                measure: Measure(r.measure),
                strategy: Strategy(r.strategy),
                score: r.score,
                paths: r
                    .paths
                    .into_iter()
                    .map(|steps| Path {
                        steps: steps.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
                cases: r.cases.into_iter().map(Case).collect(),
                evidence: r.evidence.into_iter().map(Statistic).collect(),
                rationale: Text {
                    zh: r.rationale.0,
                    en: r.rationale.1,
                },
            })
            .collect(),
    })
}

/// Which part of the matrix to show.
#[derive(InputObject, Default)]
pub struct EvidenceFilter {
    /// Only this cause (a group shows with its factors).
    cause: Option<String>,
    /// Only the cases in this region or inside it.
    region: Option<String>,
}

/// Causes crossed with the five prongs: where the knowledge base has answers, and where not.
#[derive(SimpleObject)]
pub struct EvidenceMatrix {
    /// The columns, in order.
    strategies: Vec<Strategy>,
    rows: Vec<EvidenceRow>,
    /// How many cells have no measure.
    gap_count: u64,
}

#[derive(SimpleObject)]
pub struct EvidenceRow {
    cause: Cause,
    is_group: bool,
    cells: Vec<EvidenceCell>,
}

#[derive(SimpleObject)]
pub struct EvidenceCell {
    strategy: Strategy,
    measures: Vec<Measure>,
    cases: Vec<Case>,
    measure_count: u64,
    case_count: u64,
    /// No measure of this prong addresses this cause.
    gap: bool,
}

pub(super) async fn evidence_matrix(
    ctx: &Context<'_>,
    filter: EvidenceFilter,
) -> Result<EvidenceMatrix> {
    let rows = recommend::evidence_matrix(
        db(ctx),
        ctx.data_unchecked::<Search>().graphs(),
        filter.region.as_deref(),
        filter.cause.as_deref(),
    )
    .await
    .extend()?;
    let strategies = rows
        .first()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| Strategy(c.strategy.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut gap_count = 0;
    let rows = rows
        .into_iter()
        .map(|row| EvidenceRow {
            is_group: row.cause.parent_id.is_none(),
            cause: Cause(row.cause),
            cells: row
                .cells
                .into_iter()
                .map(|cell| {
                    let gap = cell.measures.is_empty();
                    gap_count += u64::from(gap);
                    EvidenceCell {
                        strategy: Strategy(cell.strategy),
                        measure_count: cell.measures.len() as u64,
                        case_count: cell.cases.len() as u64,
                        measures: cell.measures.into_iter().map(Measure).collect(),
                        cases: cell.cases.into_iter().map(Case).collect(),
                        gap,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(EvidenceMatrix {
        strategies,
        rows,
        gap_count,
    })
}
