//! From a planner's situation to ranked interventions, each with the path through the knowledge
//! base that justifies it. The ranking is documented in docs/recommendations.md.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{DatabaseConnection, EntityTrait};

use entities::*;

use crate::catalog::tables::CasesOfMeasure;
use crate::catalog::{self, Table};
use crate::domain::EntryKind;
use crate::error::{AppError, AppResult};
use crate::search::{Search, SearchRequest, UserQuery};

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

#[derive(Clone, Debug, PartialEq)]
pub struct PathStep {
    pub kind: EntryKind,
    pub slug: String,
    pub title: (String, String),
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
    pub matched_causes: Vec<CauseMatch>,
    pub items: Vec<Recommendation>,
}

/// Words so common in this domain, or in any description, that a match on them says nothing
/// about the situation (compared by stem, so "escaped" and "escaping" count too).
const GENERIC: &[&str] = &[
    "贫困",
    "扶贫",
    "脱贫",
    "贫困户",
    "贫困村",
    "贫困群众",
    "群众",
    "农村",
    "农民",
    "村民",
    "村里",
    "村",
    "家庭",
    "自己",
    "严重",
    "思想",
    "问题",
    "已经",
    "情况",
    "现在",
    "没有",
    "一些",
    "很多",
    "我们",
    "他们",
    "需要",
    "怎么办",
    "poverty",
    "poor",
    "poorly",
    "alleviation",
    "escape",
    "household",
    "family",
    "village",
    "villager",
    "rural",
    "people",
    "person",
    "member",
    "problem",
    "who",
    "what",
    "how",
    "many",
    "much",
    "some",
    "get",
    "make",
    "keep",
    "have",
    "little",
    "very",
    "can",
    "cannot",
    "won't",
    "whole",
    "our",
    "we",
    "they",
    "need",
];
const MIN_RELATIVE_STRENGTH: f64 = 0.2;
const PRONG_BONUS: f64 = 1.5;
const GROUP_SHARE: f64 = 0.8;
const MEASURE_TEXT: f64 = 1.0;
const STRATEGY_TEXT: f64 = 0.5;

/// The whole (small) graph the ranking walks.
struct Graph {
    causes: BTreeMap<i32, causes::Model>,
    dimensions: BTreeMap<i32, dimensions::Model>,
    strategies: BTreeMap<i32, strategies::Model>,
    measures: BTreeMap<i32, measures::Model>,
    regions: HashMap<i32, regions::Model>,
    dims_of_cause: HashMap<i32, Vec<i32>>,
    /// measure -> [(cause, rationale zh, rationale en)]
    causes_of_measure: HashMap<i32, Vec<measure_causes::Model>>,
    statistics_of_cause: HashMap<i32, Vec<statistics::Model>>,
}

impl Graph {
    async fn load(db: &DatabaseConnection) -> AppResult<Graph> {
        async fn all<E: Table>(db: &DatabaseConnection) -> AppResult<BTreeMap<i32, E::Model>> {
            Ok(E::find()
                .all(db)
                .await?
                .into_iter()
                .map(|row| (E::id_of(&row), row))
                .collect())
        }
        let causes = all::<causes::Entity>(db).await?;
        let dimensions = all::<dimensions::Entity>(db).await?;
        let strategies = all::<strategies::Entity>(db).await?;
        let measures = all::<measures::Entity>(db).await?;
        let regions = regions::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut dims_of_cause: HashMap<i32, Vec<i32>> = HashMap::new();
        for link in cause_dimensions::Entity::find().all(db).await? {
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
        Ok(Graph {
            causes,
            dimensions,
            strategies,
            measures,
            regions,
            dims_of_cause,
            causes_of_measure,
            statistics_of_cause,
        })
    }

    /// The largest survey share (%) the source gives for a cause or its factors.
    fn share(&self, cause: i32) -> f64 {
        let own = self.statistics_of_cause.get(&cause).into_iter().flatten();
        let children = self
            .causes
            .values()
            .filter(|c| c.parent_id == Some(cause))
            .flat_map(|c| self.statistics_of_cause.get(&c.id).into_iter().flatten());
        own.chain(children)
            .filter(|s| s.unit_zh == "%")
            .map(|s| s.value)
            .fold(0.0, f64::max)
    }

    fn region_chain(&self, id: i32) -> Vec<i32> {
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
    fn proximity(&self, region: i32, case_region: Option<i32>) -> u8 {
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

fn step(kind: EntryKind, slug: &str, zh: &str, en: &str) -> PathStep {
    PathStep {
        kind,
        slug: slug.to_string(),
        title: (zh.to_string(), en.to_string()),
    }
}

/// The texts between `<mark>` and `</mark>` of highlight HTML, lowercased.
fn marked_terms(html: &str) -> Vec<String> {
    html.split("<mark>")
        .skip(1)
        .filter_map(|part| part.split("</mark>").next())
        .map(|t| t.to_lowercase())
        .collect()
}

/// Matches a description against causes (directly, or through the statistics that quantify
/// them): cause id -> (relative strength, matched terms).
async fn match_text(
    search: &Search,
    text: &str,
    generic: &[String],
) -> AppResult<BTreeMap<i32, (f64, BTreeSet<String>)>> {
    let query = UserQuery::parse(text)?;
    if query.wanted.is_empty() {
        return Ok(BTreeMap::new());
    }
    let request = SearchRequest {
        query,
        kinds: vec![EntryKind::Cause, EntryKind::Statistic],
        limit: 30,
        without_facets: true,
        ..Default::default()
    };
    let results = search.search(request).await?;
    let mut best: BTreeMap<(EntryKind, i32), (f64, BTreeSet<String>)> = BTreeMap::new();
    for hit in results.hits {
        let terms: BTreeSet<String> = hit
            .highlights
            .iter()
            .flat_map(|h| marked_terms(&h.html))
            .filter(|t| !generic.contains(&search.word_key(t)))
            .collect();
        if terms.is_empty() {
            continue;
        }
        best.insert((hit.kind, hit.id), (f64::from(hit.score), terms));
    }
    Ok(best
        .into_iter()
        .map(|((kind, id), value)| {
            (
                if kind == EntryKind::Statistic {
                    -id
                } else {
                    id
                },
                value,
            )
        })
        .collect())
}

/// How well the description matches each measure and each strategy, relative to the best (0-1).
async fn text_affinity(
    search: &Search,
    text: &str,
    kind: EntryKind,
) -> AppResult<HashMap<i32, f64>> {
    let request = SearchRequest {
        query: UserQuery::parse(text)?,
        kinds: vec![kind],
        limit: 50,
        without_facets: true,
        without_highlights: true,
        ..Default::default()
    };
    let hits = search.search(request).await?.hits;
    let top = hits.iter().map(|h| f64::from(h.score)).fold(0.0, f64::max);
    Ok(hits
        .into_iter()
        .filter(|_| top > 0.0)
        .map(|h| (h.id, f64::from(h.score) / top))
        .collect())
}

pub async fn recommend(
    db: &DatabaseConnection,
    search: &Search,
    input: RecommendInput,
) -> AppResult<Recommendations> {
    if input.causes.is_empty() && input.text.is_none() {
        return Err(AppError::bad_field(
            "input",
            "give `causes` (slugs), `text` (a description of the situation), or both",
        ));
    }
    if let Some(text) = &input.text {
        UserQuery::parse(text)?;
    }
    // Only what is specific about the description is matched.
    let generic = search.word_keys(GENERIC);
    let specific = input
        .text
        .as_deref()
        .map(|text| search.specific_words(text, &generic))
        .filter(|words| !words.trim().is_empty());
    let text = specific.as_deref();
    let graph = Graph::load(db).await?;

    // 1. The causes, with their strength.
    let mut matched: BTreeMap<i32, (f64, BTreeSet<String>)> = BTreeMap::new();
    for slug in &input.causes {
        let cause = catalog::by_slug::<causes::Entity>(db, slug)
            .await?
            .ok_or_else(|| {
                AppError::bad_field(
                    "input.causes",
                    format!("there is no cause with slug '{slug}'"),
                )
            })?;
        matched.insert(cause.id, (1.0, BTreeSet::new()));
    }
    let region = match &input.region {
        Some(slug) => Some(
            catalog::by_slug::<regions::Entity>(db, slug)
                .await?
                .ok_or_else(|| {
                    AppError::bad_field(
                        "input.region",
                        format!("there is no region with slug '{slug}'"),
                    )
                })?
                .id,
        ),
        None => None,
    };
    if let Some(text) = text {
        let hits = match_text(search, text, &generic).await?;
        // Statistics (negative keys) count for their cause.
        let mut by_cause: BTreeMap<i32, (f64, BTreeSet<String>)> = BTreeMap::new();
        for (key, (score, terms)) in hits {
            let cause = if key < 0 {
                graph
                    .statistics_of_cause
                    .iter()
                    .find(|(_, s)| s.iter().any(|s| s.id == -key))
                    .map(|(c, _)| *c)
            } else {
                Some(key)
            };
            if let Some(cause) = cause {
                let entry = by_cause.entry(cause).or_insert((0.0, BTreeSet::new()));
                entry.0 = entry.0.max(score);
                entry.1.extend(terms);
            }
        }
        let top = by_cause.values().map(|(s, _)| *s).fold(0.0, f64::max);
        for (cause, (score, terms)) in by_cause {
            let strength = if top > 0.0 { score / top } else { 0.0 };
            if strength >= MIN_RELATIVE_STRENGTH {
                let entry = matched.entry(cause).or_insert((0.0, BTreeSet::new()));
                entry.0 = entry.0.max(strength);
                entry.1.extend(terms);
            }
        }
    }
    let matched_causes: Vec<CauseMatch> = {
        let mut list: Vec<CauseMatch> = matched
            .iter()
            .filter_map(|(id, (score, terms))| {
                graph.causes.get(id).map(|cause| CauseMatch {
                    cause: cause.clone(),
                    score: *score,
                    matched_terms: terms.iter().cloned().collect(),
                })
            })
            .collect();
        list.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.cause.id.cmp(&b.cause.id))
        });
        list
    };
    if matched_causes.is_empty() {
        return Ok(Recommendations::default());
    }

    // Groups stand for their factors.
    let mut strengths: BTreeMap<i32, f64> = BTreeMap::new();
    for m in &matched_causes {
        let entry = strengths.entry(m.cause.id).or_default();
        *entry = entry.max(m.score);
        for child in graph
            .causes
            .values()
            .filter(|c| c.parent_id == Some(m.cause.id))
        {
            let entry = strengths.entry(child.id).or_default();
            *entry = entry.max(m.score * GROUP_SHARE);
        }
    }

    // 2. The measures, scored.
    let (measure_text, strategy_text) = match text {
        Some(text) => (
            text_affinity(search, text, EntryKind::Measure).await?,
            text_affinity(search, text, EntryKind::Strategy).await?,
        ),
        None => Default::default(),
    };
    let mut scored: Vec<(f64, i32, Vec<i32>)> = Vec::new();
    for measure in graph.measures.values() {
        let Some(strategy) = graph.strategies.get(&measure.strategy_id) else {
            continue;
        };
        let answered: Vec<i32> = graph
            .causes_of_measure
            .get(&measure.id)
            .into_iter()
            .flatten()
            .map(|l| l.cause_id)
            .filter(|c| strengths.contains_key(c))
            .collect();
        if answered.is_empty() {
            continue;
        }
        let mut score = 0.0;
        for cause in &answered {
            let feeds = graph.dims_of_cause.get(cause).cloned().unwrap_or_default();
            let prong = strategy.dimension_id.is_some_and(|d| feeds.contains(&d));
            score += strengths[cause]
                * (1.0 + graph.share(*cause) / 100.0)
                * if prong { PRONG_BONUS } else { 1.0 };
        }
        score += MEASURE_TEXT * measure_text.get(&measure.id).copied().unwrap_or(0.0)
            + STRATEGY_TEXT * strategy_text.get(&strategy.id).copied().unwrap_or(0.0);
        scored.push((score, measure.id, answered));
    }

    // Cases of the candidate measures, for evidence and region proximity.
    let candidate_ids: Vec<i32> = scored.iter().map(|(_, id, _)| *id).collect();
    let mut cases_of = catalog::batch::linked::<CasesOfMeasure>(db, &candidate_ids).await?;
    for (score, measure, _) in &mut scored {
        let list = cases_of.entry(*measure).or_default();
        list.sort_by_key(|case| {
            (
                std::cmp::Reverse(region.map_or(0, |r| graph.proximity(r, case.region_id))),
                case.id,
            )
        });
        *score += 0.05 * list.len().min(3) as f64;
        if let Some(region) = region {
            *score += match list
                .iter()
                .map(|c| graph.proximity(region, c.region_id))
                .max()
                .unwrap_or(0)
            {
                2 => 0.3,
                1 => 0.15,
                _ => 0.0,
            };
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));

    // 3. What each recommendation shows.
    let items = scored
        .into_iter()
        .take(input.first)
        .filter_map(|(score, measure_id, answered)| {
            let measure = graph.measures.get(&measure_id)?.clone();
            let strategy = graph.strategies.get(&measure.strategy_id)?.clone();
            let cases = cases_of.remove(&measure_id).unwrap_or_default();
            Some(explain(&graph, measure, strategy, score, &answered, cases))
        })
        .collect();
    Ok(Recommendations {
        matched_causes,
        items,
    })
}

/// Paths, evidence and the bilingual rationale of one recommended measure.
fn explain(
    graph: &Graph,
    measure: measures::Model,
    strategy: strategies::Model,
    score: f64,
    answered: &[i32],
    cases: Vec<cases::Model>,
) -> Recommendation {
    let mut paths = Vec::new();
    let mut evidence = Vec::new();
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    for cause_id in answered {
        let Some(cause) = graph.causes.get(cause_id) else {
            continue;
        };
        let dimension = strategy
            .dimension_id
            .filter(|d| {
                graph
                    .dims_of_cause
                    .get(cause_id)
                    .is_some_and(|ds| ds.contains(d))
            })
            .or_else(|| {
                graph
                    .dims_of_cause
                    .get(cause_id)
                    .and_then(|ds| ds.first().copied())
            })
            .and_then(|d| graph.dimensions.get(&d));
        let mut head = vec![step(
            EntryKind::Cause,
            &cause.slug,
            &cause.name_zh,
            &cause.name_en,
        )];
        if let Some(d) = dimension {
            head.push(step(EntryKind::Dimension, &d.slug, &d.name_zh, &d.name_en));
        }
        head.push(step(
            EntryKind::Strategy,
            &strategy.slug,
            &strategy.name_zh,
            &strategy.name_en,
        ));
        head.push(step(
            EntryKind::Measure,
            &measure.slug,
            &measure.title_zh,
            &measure.title_en,
        ));
        if cases.is_empty() {
            paths.push(head.clone());
        }
        for case in cases.iter().take(3) {
            let mut path = head.clone();
            path.push(step(
                EntryKind::Case,
                &case.slug,
                &case.title_zh,
                &case.title_en,
            ));
            paths.push(path);
        }
        evidence.extend(
            graph
                .statistics_of_cause
                .get(cause_id)
                .cloned()
                .unwrap_or_default(),
        );

        let share = graph.share(*cause_id);
        let (share_zh, share_en) = if share > 0.0 {
            (
                format!("（调查占比{share}%）"),
                format!(" ({share}% in the survey)"),
            )
        } else {
            (String::new(), String::new())
        };
        let link = graph
            .causes_of_measure
            .get(&measure.id)
            .into_iter()
            .flatten()
            .find(|l| l.cause_id == *cause_id);
        let (why_zh, why_en) =
            match link.and_then(|l| l.rationale_zh.clone().zip(l.rationale_en.clone())) {
                Some((zh, en)) => (format!("依据：{zh}"), format!(" Why: {en}")),
                None => (String::new(), String::new()),
            };
        match dimension {
            Some(d) => {
                zh.push(format!(
                    "“{}”{share_zh}属于{}。{}（{}）针对此类问题，措施“{}”应对该原因。{why_zh}",
                    cause.name_zh, d.name_zh, strategy.name_zh, strategy.aim_zh, measure.title_zh
                ));
                en.push(format!("\"{}\"{share_en} feeds {}. The prong \"{}\" ({}) answers it, and the measure \"{}\" addresses this cause.{why_en}", cause.name_en, d.name_en.to_lowercase(), strategy.name_en, strategy.aim_en, measure.title_en));
            }
            None => {
                zh.push(format!(
                    "“{}”{share_zh}：{}（{}）的措施“{}”应对该原因。{why_zh}",
                    cause.name_zh, strategy.name_zh, strategy.aim_zh, measure.title_zh
                ));
                en.push(format!("\"{}\"{share_en}: the measure \"{}\" of the prong \"{}\" ({}) addresses this cause.{why_en}", cause.name_en, measure.title_en, strategy.name_en, strategy.aim_en));
            }
        }
    }
    if !cases.is_empty() {
        let titles: Vec<&str> = cases.iter().take(3).map(|c| c.title_zh.as_str()).collect();
        zh.push(format!("实践案例：{}。", titles.join("；")));
        let titles: Vec<&str> = cases.iter().take(3).map(|c| c.title_en.as_str()).collect();
        en.push(format!("Seen at work in: {}.", titles.join("; ")));
    }
    evidence.sort_by_key(|s| s.id);
    evidence.dedup_by_key(|s| s.id);
    Recommendation {
        measure,
        strategy,
        score,
        paths,
        cases,
        evidence,
        rationale: (zh.join(""), en.join(" ")),
    }
}

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
    region: Option<&str>,
    rows_of: Option<&str>,
) -> AppResult<Vec<MatrixRow>> {
    let graph = Graph::load(db).await?;
    let region = match region {
        Some(slug) => Some(
            catalog::by_slug::<regions::Entity>(db, slug)
                .await?
                .ok_or_else(|| {
                    AppError::bad_field(
                        "filter.region",
                        format!("there is no region with slug '{slug}'"),
                    )
                })?
                .id,
        ),
        None => None,
    };
    let only = match rows_of {
        Some(slug) => Some(
            catalog::by_slug::<causes::Entity>(db, slug)
                .await?
                .ok_or_else(|| {
                    AppError::bad_field(
                        "filter.cause",
                        format!("there is no cause with slug '{slug}'"),
                    )
                })?
                .id,
        ),
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
