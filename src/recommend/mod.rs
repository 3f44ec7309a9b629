//! From a planner's situation to ranked interventions, each with the path through the knowledge
//! base that justifies it. The pipeline runs in plain stages, each a function with its tests:
//!
//! 1. normalise and read the description (`concepts::read`);
//! 2. match concepts: names and aliases of causes, kinds of poverty, prongs, measures and
//!    glossary terms (`concepts::Lexicon::find`), plus full-text evidence on meaningful words
//!    only (`evidence::find`);
//! 3. expand cause groups to their factors and kinds of poverty to their prongs
//!    (`score::expand`);
//! 4. score the measures (`score::score`, then case evidence and region proximity here);
//! 5. explain each (`explain::explain`).
//!
//! The weights live in `score::Weights`; docs/recommendations.md documents them.

mod concepts;
mod evidence;
mod explain;
mod matrix;
mod score;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::DatabaseConnection;

use entities::*;

use crate::catalog;
use crate::catalog::tables::{CasesOfMeasure, LinkProvenance};
use crate::domain::EntryKind;
use crate::error::{AppError, AppResult};
use crate::search::Search;

pub use concepts::Concept;
pub use matrix::{evidence_matrix, MatrixCell, MatrixRow};
pub use score::Weights;

use crate::graph::Graph;
pub use concepts::Lexicons;

/// The longest description read, in characters (a paragraph or two).
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// What a planner asks about.
#[derive(Clone, Debug, Default)]
pub struct RecommendInput {
    pub causes: Vec<String>,
    pub text: Option<String>,
    pub region: Option<String>,
    pub first: usize,
}

#[derive(Clone, Debug)]
pub struct CauseMatch {
    pub cause: causes::Model,
    pub score: f64,
    pub matched_terms: Vec<String>,
}

/// A word or phrase of the description and the record it names.
#[derive(Clone, Debug, PartialEq)]
pub struct TermMatch {
    /// As the description has it (normal form).
    pub term: String,
    /// The record's own name or alias it matched.
    pub name: String,
    pub kind: EntryKind,
    pub id: i32,
    pub slug: String,
    pub title: (String, String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct PathStep {
    pub kind: EntryKind,
    pub slug: String,
    pub title: (String, String),
    /// The link from the previous step to this one, when it is a link of the knowledge base
    /// (not the strategy's own structure).
    pub link: Option<StepLink>,
}

/// A link on a path: the record it is written in and how the source supports it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepLink {
    pub owner: EntryKind,
    pub owner_id: i32,
    pub provenance: LinkProvenance,
}

#[derive(Clone, Debug)]
pub struct Recommendation {
    pub measure: measures::Model,
    pub strategy: strategies::Model,
    pub score: f64,
    pub paths: Vec<Vec<PathStep>>,
    pub cases: Vec<cases::Model>,
    pub evidence: Vec<statistics::Model>,
    pub rationale: (String, String),
}

#[derive(Clone, Debug, Default)]
pub struct Recommendations {
    /// The words of the description that were read (normal form, punctuation dropped).
    pub read: Vec<String>,
    /// Whether anything in the input matched the knowledge base.
    pub understood: bool,
    pub matched_causes: Vec<CauseMatch>,
    /// The names and aliases the description matched, with their records.
    pub matched_terms: Vec<TermMatch>,
    pub items: Vec<Recommendation>,
}

impl Graph {
    /// The record a concept stands for: (slug, title zh, title en).
    fn describe(&self, concept: Concept) -> Option<(String, String, String)> {
        let id = concept.id();
        match concept {
            Concept::Cause(_) => self
                .causes
                .get(&id)
                .map(|r| (r.slug.clone(), r.name_zh.clone(), r.name_en.clone())),
            Concept::Dimension(_) => self
                .dimensions
                .get(&id)
                .map(|r| (r.slug.clone(), r.name_zh.clone(), r.name_en.clone())),
            Concept::Strategy(_) => self
                .strategies
                .get(&id)
                .map(|r| (r.slug.clone(), r.name_zh.clone(), r.name_en.clone())),
            Concept::Measure(_) => self
                .measures
                .get(&id)
                .map(|r| (r.slug.clone(), r.title_zh.clone(), r.title_en.clone())),
            Concept::Glossary(_) => self
                .glossary
                .get(&id)
                .map(|r| (r.slug.clone(), r.term.clone(), r.english.clone())),
        }
    }
}

pub async fn recommend(
    db: &DatabaseConnection,
    search: &Search,
    lexicons: &Lexicons,
    input: RecommendInput,
) -> AppResult<Recommendations> {
    check(&input)?;
    let named = resolve_causes(db, &input.causes).await?;
    let region = match &input.region {
        Some(slug) => Some(catalog::id_by_slug::<regions::Entity>(db, "input.region", slug).await?),
        None => None,
    };
    let weights = Weights::DEFAULT;
    let snapshot = search.graphs().current(db).await?;
    let graph = &*snapshot.graph;

    // 1 and 2: read the description, find the concepts it names and the evidence its words give.
    let lexicon = lexicons.of(&snapshot.graph, search.jieba());
    let heard = Heard::read(search, graph, &lexicon, input.text.as_deref()).await?;

    // 3: strengths.
    let causes = score::matched_causes(&named, &heard.matches, &heard.evidence, &weights);
    let strengths = score::expand(graph, &causes, &heard.matches, &heard.evidence, &weights);
    let matched_terms = term_matches(graph, &heard.matches);
    let matched_causes = cause_matches(graph, &causes, &heard.matches, &heard.evidence);
    let understood =
        !matched_causes.is_empty() || !matched_terms.is_empty() || !strengths.is_empty();

    // 4: score, then case evidence and region proximity.
    let mut scored = score::score(graph, &strengths, &weights);
    let mut cases_of = weigh_cases(db, graph, &mut scored, region, &weights).await?;
    score::sort(&mut scored);

    // 5: explain.
    let items = scored
        .into_iter()
        .take(input.first)
        .filter_map(|s| {
            let measure = graph.measures.get(&s.measure)?.clone();
            let strategy = graph.strategies.get(&measure.strategy_id)?.clone();
            let cases = cases_of.remove(&s.measure).unwrap_or_default();
            let (score, answered) = (s.score, &s.answered);
            Some(explain::explain(
                graph,
                measure,
                strategy,
                score,
                answered,
                &heard.matches,
                cases,
            ))
        })
        .collect();
    Ok(Recommendations {
        read: heard.read,
        understood,
        matched_causes,
        matched_terms,
        items,
    })
}

/// A request needs causes or a description, and a description no longer than is read.
fn check(input: &RecommendInput) -> AppResult<()> {
    if input.causes.is_empty() && input.text.is_none() {
        return Err(AppError::bad_field(
            "input",
            "give `causes` (slugs), `text` (a description of the situation), or both",
        ));
    }
    let count = input.text.as_deref().map_or(0, |text| text.chars().count());
    if count > MAX_DESCRIPTION_CHARS {
        return Err(AppError::bad_field(
            "input.text",
            format!(
                "the description has {count} characters; at most {MAX_DESCRIPTION_CHARS} are read"
            ),
        ));
    }
    Ok(())
}

async fn resolve_causes(db: &DatabaseConnection, slugs: &[String]) -> AppResult<Vec<i32>> {
    let mut named = Vec::with_capacity(slugs.len());
    for slug in slugs {
        named.push(catalog::id_by_slug::<causes::Entity>(db, "input.causes", slug).await?);
    }
    Ok(named)
}

/// What a description says: its words, the concepts it names, and the records its meaningful
/// words find as evidence.
struct Heard {
    read: Vec<String>,
    matches: Vec<concepts::ConceptMatch>,
    evidence: evidence::TextEvidence,
}

impl Heard {
    async fn read(
        search: &Search,
        graph: &Graph,
        lexicon: &concepts::Lexicon,
        text: Option<&str>,
    ) -> AppResult<Heard> {
        let reading = concepts::read(search.jieba(), text.unwrap_or_default());
        let matches = lexicon.find(&reading);
        let words = concepts::meaningful_words(&reading, lexicon);
        let terms_of_art: BTreeSet<String> = matches
            .iter()
            .filter(|m| matches!(m.concept, Concept::Glossary(_)))
            .map(|m| m.term.clone())
            .collect();
        let evidence = evidence::find(search, graph, &words, &terms_of_art).await?;
        Ok(Heard {
            read: reading.words.iter().map(|(word, _)| word.clone()).collect(),
            matches,
            evidence,
        })
    }
}

/// The words of the description that name a record, with the record.
fn term_matches(graph: &Graph, matches: &[concepts::ConceptMatch]) -> Vec<TermMatch> {
    matches
        .iter()
        .filter_map(|m| {
            let (slug, zh, en) = graph.describe(m.concept)?;
            Some(TermMatch {
                term: m.term.clone(),
                name: m.name.clone(),
                kind: m.concept.kind(),
                id: m.concept.id(),
                slug,
                title: (zh, en),
            })
        })
        .collect()
}

/// Adds to each scored measure the weight of the cases that apply it and, with a region, of the
/// closest of them; returns each measure's cases, closest first.
async fn weigh_cases(
    db: &DatabaseConnection,
    graph: &Graph,
    scored: &mut [score::Scored],
    region: Option<i32>,
    weights: &Weights,
) -> AppResult<HashMap<i32, Vec<(cases::Model, LinkProvenance)>>> {
    let candidate_ids: Vec<i32> = scored.iter().map(|s| s.measure).collect();
    let mut cases_of = catalog::batch::links::<CasesOfMeasure>(db, &candidate_ids).await?;
    let proximity = |case: &cases::Model| region.map_or(0, |r| graph.proximity(r, case.region_id));
    for s in scored {
        let list = cases_of.entry(s.measure).or_default();
        list.sort_by_key(|(case, _)| (std::cmp::Reverse(proximity(case)), case.id));
        s.score += weights.per_case * list.len().min(weights.counted_cases) as f64;
        s.score += match list.first().map_or(0, |(case, _)| proximity(case)) {
            2 => weights.region_inside,
            1 => weights.region_near,
            _ => 0.0,
        };
    }
    Ok(cases_of)
}

/// The matched causes, strongest first, each with the words that matched it.
fn cause_matches(
    graph: &Graph,
    causes: &BTreeMap<i32, f64>,
    matches: &[concepts::ConceptMatch],
    evidence: &evidence::TextEvidence,
) -> Vec<CauseMatch> {
    let mut list: Vec<CauseMatch> = causes
        .iter()
        .filter_map(|(&id, &score)| {
            let mut terms: BTreeSet<String> = matches
                .iter()
                .filter(|m| m.concept == Concept::Cause(id))
                .map(|m| m.term.clone())
                .collect();
            if let Some((_, words)) = evidence.causes.get(&id) {
                terms.extend(words.iter().cloned());
            }
            graph.causes.get(&id).map(|cause| CauseMatch {
                cause: cause.clone(),
                score,
                matched_terms: terms.into_iter().collect(),
            })
        })
        .collect();
    list.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.cause.id.cmp(&b.cause.id))
    });
    list
}
