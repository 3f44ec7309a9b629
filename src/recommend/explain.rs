//! Stage 5 of the pipeline: what each recommendation shows — paths through the knowledge base,
//! the survey figures behind it, and a rationale composed in both languages from the records on
//! the paths (nothing else).

use entities::*;

use super::concepts::{Concept, ConceptMatch};
use super::{PathStep, Recommendation, StepLink};
use crate::catalog::tables::LinkProvenance;
use crate::domain::EntryKind;
use crate::graph::Graph;

fn step(kind: EntryKind, slug: &str, zh: &str, en: &str) -> PathStep {
    PathStep {
        kind,
        slug: slug.to_string(),
        title: (zh.to_string(), en.to_string()),
        link: None,
    }
}

impl PathStep {
    /// The step reached through a link written in `owner` (`owner_id`).
    fn via(mut self, owner: EntryKind, owner_id: i32, provenance: LinkProvenance) -> PathStep {
        self.link = Some(StepLink {
            owner,
            owner_id,
            provenance,
        });
        self
    }
}

/// A case at the end of a path, reached through its link to the measure.
fn case_step(case: &cases::Model, provenance: &LinkProvenance) -> PathStep {
    step(EntryKind::Case, &case.slug, &case.title_zh, &case.title_en).via(
        EntryKind::Case,
        case.id,
        provenance.clone(),
    )
}

/// The concept match that names this measure, its prong, or the prong's kind of poverty.
fn named_reason<'a>(
    measure: &measures::Model,
    strategy: &strategies::Model,
    named: &'a [ConceptMatch],
) -> Option<&'a ConceptMatch> {
    named.iter().find(|m| match m.concept {
        Concept::Measure(id) => id == measure.id,
        Concept::Strategy(id) => id == strategy.id,
        Concept::Dimension(id) => strategy.dimension_id == Some(id),
        Concept::Cause(_) | Concept::Glossary(_) => false,
    })
}

/// Paths, evidence and the bilingual rationale of one recommended measure.
pub fn explain(
    graph: &Graph,
    measure: measures::Model,
    strategy: strategies::Model,
    score: f64,
    answered: &[i32],
    named: &[ConceptMatch],
    cases: Vec<(cases::Model, LinkProvenance)>,
) -> Recommendation {
    let mut paths = Vec::new();
    let mut evidence = Vec::new();
    let mut why = Rationale::default();
    for cause_id in answered {
        let Some(cause) = graph.causes.get(cause_id) else {
            continue;
        };
        let dimension = dimension_between(graph, cause_id, &strategy);
        let answers = graph
            .causes_of_measure
            .get(&measure.id)
            .into_iter()
            .flatten()
            .find(|l| l.cause_id == *cause_id)
            .map_or_else(LinkProvenance::default, |l| {
                LinkProvenance::of(&l.rationale_zh, &l.rationale_en, l.citation)
            });
        let mut head = vec![step(
            EntryKind::Cause,
            &cause.slug,
            &cause.name_zh,
            &cause.name_en,
        )];
        if let Some(d) = dimension {
            let feeds = graph
                .dimension_links
                .get(&(*cause_id, d.id))
                .cloned()
                .unwrap_or_default();
            head.push(
                step(EntryKind::Dimension, &d.slug, &d.name_zh, &d.name_en).via(
                    EntryKind::Cause,
                    *cause_id,
                    feeds,
                ),
            );
        }
        head.push(strategy_step(&strategy));
        head.push(measure_step(&measure).via(EntryKind::Measure, measure.id, answers.clone()));
        paths.extend(with_cases(head, &cases));
        evidence.extend(
            graph
                .statistics_of_cause
                .get(cause_id)
                .cloned()
                .unwrap_or_default(),
        );
        why.cause(
            graph.share(*cause_id),
            cause,
            dimension,
            &strategy,
            &measure,
            &answers,
        );
    }
    if let Some(m) = named_reason(&measure, &strategy, named) {
        let dimension = strategy.dimension_id.and_then(|d| graph.dimensions.get(&d));
        let mut path: Vec<PathStep> = dimension
            .map(|d| step(EntryKind::Dimension, &d.slug, &d.name_zh, &d.name_en))
            .into_iter()
            .collect();
        path.push(strategy_step(&strategy));
        path.push(measure_step(&measure));
        if paths.is_empty() {
            paths.extend(with_cases(path, &cases));
        }
        why.named(&m.term, &strategy, &measure);
    }
    why.cases(&cases);
    evidence.sort_by_key(|s| s.id);
    evidence.dedup_by_key(|s| s.id);
    Recommendation {
        measure,
        strategy,
        score,
        paths,
        cases: cases.into_iter().map(|(case, _)| case).collect(),
        evidence,
        rationale: why.joined(),
    }
}

/// The kind of poverty a path goes through from a cause to a prong: the prong's own when the
/// cause feeds it, else the first the cause feeds.
fn dimension_between<'g>(
    graph: &'g Graph,
    cause_id: &i32,
    strategy: &strategies::Model,
) -> Option<&'g dimensions::Model> {
    let feeds = graph.dims_of_cause.get(cause_id);
    strategy
        .dimension_id
        .filter(|d| feeds.is_some_and(|ds| ds.contains(d)))
        .or_else(|| feeds.and_then(|ds| ds.first().copied()))
        .and_then(|d| graph.dimensions.get(&d))
}

fn strategy_step(strategy: &strategies::Model) -> PathStep {
    step(
        EntryKind::Strategy,
        &strategy.slug,
        &strategy.name_zh,
        &strategy.name_en,
    )
}

fn measure_step(measure: &measures::Model) -> PathStep {
    step(
        EntryKind::Measure,
        &measure.slug,
        &measure.title_zh,
        &measure.title_en,
    )
}

/// A path to a measure, continued to each of its first three cases (or alone without cases).
fn with_cases(head: Vec<PathStep>, cases: &[(cases::Model, LinkProvenance)]) -> Vec<Vec<PathStep>> {
    if cases.is_empty() {
        return vec![head];
    }
    cases
        .iter()
        .take(3)
        .map(|(case, provenance)| {
            let mut path = head.clone();
            path.push(case_step(case, provenance));
            path
        })
        .collect()
}

/// The rationale of a recommendation, a sentence per reason, in both languages.
#[derive(Default)]
struct Rationale {
    zh: Vec<String>,
    en: Vec<String>,
}

impl Rationale {
    /// Why the measure answers a cause: the cause (with its survey share), its kind of poverty,
    /// the prong, and whether the source states the link or the knowledge base infers it.
    fn cause(
        &mut self,
        share: f64,
        cause: &causes::Model,
        dimension: Option<&dimensions::Model>,
        strategy: &strategies::Model,
        measure: &measures::Model,
        answers: &LinkProvenance,
    ) {
        let (share_zh, share_en) = if share > 0.0 {
            (
                format!("（调查占比{share}%）"),
                format!(" ({share}% in the survey)"),
            )
        } else {
            (String::new(), String::new())
        };
        let (why_zh, why_en) = match &answers.rationale {
            Some((zh, en)) => (
                format!("（推断）依据：{zh}"),
                format!(" Inferred, not stated by the source: {en}"),
            ),
            None => (
                "（原文所述）".to_string(),
                " The source states this link.".to_string(),
            ),
        };
        match dimension {
            Some(d) => {
                self.zh.push(format!(
                    "“{}”{share_zh}属于{}。{}（{}）针对此类问题，措施“{}”应对该原因。{why_zh}",
                    cause.name_zh, d.name_zh, strategy.name_zh, strategy.aim_zh, measure.title_zh
                ));
                self.en.push(format!("\"{}\"{share_en} feeds {}. The prong \"{}\" ({}) answers it, and the measure \"{}\" addresses this cause.{why_en}", cause.name_en, d.name_en.to_lowercase(), strategy.name_en, strategy.aim_en, measure.title_en));
            }
            None => {
                self.zh.push(format!(
                    "“{}”{share_zh}：{}（{}）的措施“{}”应对该原因。{why_zh}",
                    cause.name_zh, strategy.name_zh, strategy.aim_zh, measure.title_zh
                ));
                self.en.push(format!("\"{}\"{share_en}: the measure \"{}\" of the prong \"{}\" ({}) addresses this cause.{why_en}", cause.name_en, measure.title_en, strategy.name_en, strategy.aim_en));
            }
        }
    }

    /// Why a measure the description names (or whose prong it names) is recommended.
    fn named(&mut self, term: &str, strategy: &strategies::Model, measure: &measures::Model) {
        self.zh.push(format!(
            "描述中的“{}”指向{}（{}），措施“{}”属于这一方面。",
            term, strategy.name_zh, strategy.aim_zh, measure.title_zh
        ));
        self.en.push(format!(
            "The description says \"{}\", which points to the prong \"{}\" ({}); the measure \"{}\" belongs to it.",
            term, strategy.name_en, strategy.aim_en, measure.title_en
        ));
    }

    /// Where the measure was seen at work: its first three cases.
    fn cases(&mut self, cases: &[(cases::Model, LinkProvenance)]) {
        if cases.is_empty() {
            return;
        }
        let first = || cases.iter().take(3).map(|(c, _)| c);
        let zh: Vec<&str> = first().map(|c| c.title_zh.as_str()).collect();
        self.zh.push(format!("实践案例：{}。", zh.join("；")));
        let en: Vec<&str> = first().map(|c| c.title_en.as_str()).collect();
        self.en.push(format!("Seen at work in: {}.", en.join("; ")));
    }

    fn joined(self) -> (String, String) {
        (self.zh.join(""), self.en.join(" "))
    }
}
