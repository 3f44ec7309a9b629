//! Stages 3 and 4 of the pipeline: from what the situation was read as (named causes, concepts
//! found in the description, full-text evidence) to strengths per cause, prong and measure
//! (cause groups expanded to their factors, kinds of poverty to the prongs that answer them),
//! and from strengths to one score per measure. Every number is a field of `Weights`, which
//! docs/recommendations.md documents.

use std::collections::BTreeMap;

use super::concepts::{Concept, ConceptMatch};
use super::evidence::TextEvidence;
use crate::graph::Graph;

/// Every weight of the ranking, in one place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    /// A cause named in the input, or named in the description by its name or an alias.
    pub named: f64,
    /// A factor of a matched group, relative to the group.
    pub group_share: f64,
    /// A cause found only by full-text evidence, at its relative strength (0 to 1) times this.
    pub text_cause: f64,
    /// Full-text evidence weaker than this share of the best is dropped.
    pub text_floor: f64,
    /// A prong reached through the kind of poverty it answers, named in the description.
    pub dimension_prong: f64,
    /// Multiplies a cause's contribution when the measure's prong answers a kind of poverty the
    /// cause feeds (the paper's pairing).
    pub pairing: f64,
    /// A measure named in the description (by title or alias).
    pub measure_named: f64,
    /// Every measure of a prong named in the description (directly or by its kind of poverty).
    pub prong_named: f64,
    /// A measure's own full-text evidence (0 to 1, relative to the best measure).
    pub measure_text: f64,
    /// Its prong's full-text evidence (0 to 1, relative to the best prong).
    pub strategy_text: f64,
    /// Per model case of the measure, for at most `counted_cases`.
    pub per_case: f64,
    pub counted_cases: usize,
    /// A case of the measure in the given region (or inside it) / in a neighbouring region.
    pub region_inside: f64,
    pub region_near: f64,
}

impl Weights {
    pub const DEFAULT: Weights = Weights {
        named: 1.0,
        group_share: 0.8,
        text_cause: 0.7,
        text_floor: 0.2,
        dimension_prong: 0.8,
        pairing: 1.5,
        measure_named: 1.5,
        prong_named: 1.2,
        measure_text: 1.0,
        strategy_text: 0.5,
        per_case: 0.05,
        counted_cases: 3,
        region_inside: 0.3,
        region_near: 0.15,
    };
}

impl Default for Weights {
    fn default() -> Self {
        Weights::DEFAULT
    }
}

/// How strongly the situation is about each cause, prong and measure (0 to about 1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Strengths {
    pub causes: BTreeMap<i32, f64>,
    pub prongs: BTreeMap<i32, f64>,
    pub measures: BTreeMap<i32, f64>,
    /// Full-text affinity of measures and prongs (0 to 1).
    pub measure_text: BTreeMap<i32, f64>,
    pub strategy_text: BTreeMap<i32, f64>,
}

impl Strengths {
    pub fn is_empty(&self) -> bool {
        self.causes.is_empty()
            && self.prongs.is_empty()
            && self.measures.is_empty()
            && self.measure_text.is_empty()
            && self.strategy_text.is_empty()
    }
}

fn raise(map: &mut BTreeMap<i32, f64>, id: i32, value: f64) {
    let entry = map.entry(id).or_default();
    *entry = entry.max(value);
}

/// The causes a situation is about, before groups are expanded: named ones, those a concept
/// match names, those full-text evidence finds.
pub fn matched_causes(
    named: &[i32],
    concepts: &[ConceptMatch],
    evidence: &TextEvidence,
    w: &Weights,
) -> BTreeMap<i32, f64> {
    let mut causes = BTreeMap::new();
    for &id in named {
        raise(&mut causes, id, w.named);
    }
    for m in concepts {
        if let Concept::Cause(id) = m.concept {
            raise(&mut causes, id, w.named);
        }
    }
    for (&id, (strength, _)) in &evidence.causes {
        if *strength >= w.text_floor {
            raise(&mut causes, id, strength * w.text_cause);
        }
    }
    causes
}

/// Stage 3: strengths per cause (a group stands for its factors), prong (named directly or
/// through its kind of poverty) and measure.
pub fn expand(
    graph: &Graph,
    causes: &BTreeMap<i32, f64>,
    concepts: &[ConceptMatch],
    evidence: &TextEvidence,
    w: &Weights,
) -> Strengths {
    let mut s = Strengths::default();
    for (&cause, &strength) in causes {
        raise(&mut s.causes, cause, strength);
        for child in graph.children_of(cause) {
            raise(&mut s.causes, child.id, strength * w.group_share);
        }
    }
    for m in concepts {
        match m.concept {
            Concept::Strategy(id) => raise(&mut s.prongs, id, w.named),
            Concept::Dimension(id) => {
                for prong in graph
                    .strategies
                    .values()
                    .filter(|p| p.dimension_id == Some(id))
                {
                    raise(&mut s.prongs, prong.id, w.dimension_prong);
                }
            }
            Concept::Measure(id) => raise(&mut s.measures, id, w.named),
            Concept::Cause(_) | Concept::Glossary(_) => {}
        }
    }
    for (&id, (strength, _)) in &evidence.measures {
        if *strength >= w.text_floor {
            s.measure_text.insert(id, *strength);
        }
    }
    for (&id, (strength, _)) in &evidence.strategies {
        if *strength >= w.text_floor {
            s.strategy_text.insert(id, *strength);
        }
    }
    s
}

/// One measure's score and the matched causes it answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub measure: i32,
    pub score: f64,
    pub answered: Vec<i32>,
}

/// Stage 4: every measure the strengths reach, with its score before case evidence, best first
/// (ties by the paper's order).
pub fn score(graph: &Graph, s: &Strengths, w: &Weights) -> Vec<Scored> {
    let mut scored = Vec::new();
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
            .filter(|c| s.causes.contains_key(c))
            .collect();
        let mut score = 0.0;
        for cause in &answered {
            let feeds = graph.dims_of_cause.get(cause).cloned().unwrap_or_default();
            let paired = strategy.dimension_id.is_some_and(|d| feeds.contains(&d));
            score += s.causes[cause]
                * (1.0 + graph.share(*cause) / 100.0)
                * if paired { w.pairing } else { 1.0 };
        }
        score += w.measure_named * s.measures.get(&measure.id).copied().unwrap_or(0.0)
            + w.prong_named * s.prongs.get(&strategy.id).copied().unwrap_or(0.0)
            + w.measure_text * s.measure_text.get(&measure.id).copied().unwrap_or(0.0)
            + w.strategy_text * s.strategy_text.get(&strategy.id).copied().unwrap_or(0.0);
        if score > 0.0 {
            scored.push(Scored {
                measure: measure.id,
                score,
                answered,
            });
        }
    }
    sort(&mut scored);
    scored
}

pub fn sort(scored: &mut [Scored]) {
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.measure.cmp(&b.measure)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Rows;
    use entities::*;

    /// Two kinds of poverty, each answered by a prong with one measure; cause 1 (a group with
    /// factor 2) feeds kind 10; measures 100 (prong 20, kind 10) and 101 (prong 21, kind 11) both
    /// address cause 2.
    fn graph() -> Graph {
        let cause = |id, parent| causes::Model {
            id,
            slug: format!("c{id}"),
            version: 1,
            parent_id: parent,
            name_zh: String::new(),
            name_en: String::new(),
            summary_zh: None,
            summary_en: None,
            outside_zh: None,
            outside_en: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let strategy = |id, dimension| strategies::Model {
            id,
            slug: format!("s{id}"),
            version: 1,
            position: id,
            dimension_id: Some(dimension),
            name_zh: String::new(),
            name_en: String::new(),
            aim_zh: String::new(),
            aim_en: String::new(),
            summary_zh: None,
            summary_en: None,
            outside_zh: None,
            outside_en: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let measure = |id, strategy_id| measures::Model {
            id,
            slug: format!("m{id}"),
            version: 1,
            strategy_id,
            title_zh: String::new(),
            title_en: String::new(),
            summary_zh: None,
            summary_en: None,
            outside_zh: None,
            outside_en: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let link = |measure_id, cause_id| measure_causes::Model {
            measure_id,
            cause_id,
            rationale_zh: None,
            rationale_en: None,
            citation: None,
        };
        Graph::new(Rows {
            causes: vec![cause(1, None), cause(2, Some(1))],
            strategies: vec![strategy(20, 10), strategy(21, 11)],
            measures: vec![measure(100, 20), measure(101, 21)],
            cause_dimensions: vec![cause_dimensions::Model {
                cause_id: 2,
                dimension_id: 10,
                rationale_zh: None,
                rationale_en: None,
                citation: None,
            }],
            measure_causes: vec![link(100, 2), link(101, 2)],
            ..Rows::default()
        })
    }

    fn named(concept: Concept) -> ConceptMatch {
        ConceptMatch {
            concept,
            term: "x".into(),
            name: "x".into(),
        }
    }

    #[test]
    fn a_group_stands_for_its_factors() {
        let w = Weights::DEFAULT;
        let causes = matched_causes(&[1], &[], &TextEvidence::default(), &w);
        let s = expand(&graph(), &causes, &[], &TextEvidence::default(), &w);
        assert_eq!(s.causes, BTreeMap::from([(1, 1.0), (2, 0.8)]));
    }

    #[test]
    fn weak_text_evidence_is_dropped_and_the_rest_discounted() {
        let w = Weights::DEFAULT;
        let evidence = TextEvidence {
            causes: BTreeMap::from([
                (1, (1.0, Default::default())),
                (2, (0.1, Default::default())),
            ]),
            ..Default::default()
        };
        assert_eq!(
            matched_causes(&[], &[], &evidence, &w),
            BTreeMap::from([(1, w.text_cause)])
        );
    }

    #[test]
    fn the_paired_prong_ranks_first() {
        let w = Weights::DEFAULT;
        let g = graph();
        let causes = BTreeMap::from([(2, 1.0)]);
        let s = expand(&g, &causes, &[], &TextEvidence::default(), &w);
        let ranked = score(&g, &s, &w);
        assert_eq!(ranked[0].measure, 100);
        assert_eq!(ranked[0].score, w.pairing);
        assert_eq!(ranked[1].score, 1.0);
        assert_eq!(ranked[0].answered, [2]);
    }

    #[test]
    fn a_named_prong_or_kind_of_poverty_reaches_measures_without_a_cause() {
        let w = Weights::DEFAULT;
        let g = graph();
        let s = expand(
            &g,
            &BTreeMap::new(),
            &[named(Concept::Strategy(21))],
            &TextEvidence::default(),
            &w,
        );
        let ranked = score(&g, &s, &w);
        assert_eq!(ranked.len(), 1);
        assert_eq!((ranked[0].measure, ranked[0].score), (101, w.prong_named));
        assert!(ranked[0].answered.is_empty());

        let s = expand(
            &g,
            &BTreeMap::new(),
            &[named(Concept::Dimension(10))],
            &TextEvidence::default(),
            &w,
        );
        assert_eq!(s.prongs, BTreeMap::from([(20, w.dimension_prong)]));
    }

    #[test]
    fn nothing_matched_scores_nothing() {
        let w = Weights::DEFAULT;
        let g = graph();
        let s = expand(
            &g,
            &BTreeMap::new(),
            &[named(Concept::Glossary(7))],
            &TextEvidence::default(),
            &w,
        );
        assert!(s.is_empty());
        assert!(score(&g, &s, &w).is_empty());
    }
}
