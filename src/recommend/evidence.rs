//! Full-text evidence for a description, restricted to what is meaningful: its meaningful words
//! (see `concepts::meaningful_words`) found whole in the names, aliases and summaries of causes,
//! survey figures, measures and prongs (never by single character, never by a guessed spelling).

use std::collections::{BTreeMap, BTreeSet};

use super::graph::Graph;
use crate::domain::EntryKind;
use crate::error::AppResult;
use crate::search::{Hit, Scope, Search, SearchRequest, UserQuery};

/// Records the description's words point at, each with its strength relative to the best of
/// its kind (0 to 1) and the words that matched.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextEvidence {
    pub causes: BTreeMap<i32, (f64, BTreeSet<String>)>,
    pub measures: BTreeMap<i32, (f64, BTreeSet<String>)>,
    pub strategies: BTreeMap<i32, (f64, BTreeSet<String>)>,
}

/// The texts between `<mark>` and `</mark>` of highlight HTML, lowercased.
fn marked_terms(html: &str) -> Vec<String> {
    html.split("<mark>")
        .skip(1)
        .filter_map(|part| part.split("</mark>").next())
        .map(|t| t.to_lowercase())
        .collect()
}

/// The words that make a hit evidence, or none: a word in the record's name or aliases, or two
/// different words in its summary. One word of a summary is too weak (a sentence about the
/// weather can share one word with a paragraph about farming).
pub fn hit_terms(hit: &Hit) -> BTreeSet<String> {
    let named: BTreeSet<String> = hit
        .highlights
        .iter()
        .filter(|h| h.field == "title" || h.field == "aliases")
        .flat_map(|h| marked_terms(&h.html))
        .collect();
    let summarised: BTreeSet<String> = hit
        .highlights
        .iter()
        .filter(|h| h.field == "summary")
        .flat_map(|h| marked_terms(&h.html))
        .collect();
    if !named.is_empty() {
        named.into_iter().chain(summarised).collect()
    } else if summarised.len() >= 2 {
        summarised
    } else {
        BTreeSet::new()
    }
}

/// Searches the meaningful words of a description (statistics count for the cause they
/// quantify).
pub async fn find(search: &Search, graph: &Graph, words: &[String]) -> AppResult<TextEvidence> {
    if words.is_empty() {
        return Ok(TextEvidence::default());
    }
    let request = SearchRequest {
        query: UserQuery::parse(&words.join(" "))?,
        kinds: vec![
            EntryKind::Cause,
            EntryKind::Statistic,
            EntryKind::Measure,
            EntryKind::Strategy,
        ],
        limit: 60,
        without_facets: true,
        scope: Scope::Evidence,
        ..Default::default()
    };
    let mut evidence = TextEvidence::default();
    for hit in search.search(request).await?.hits {
        let terms = hit_terms(&hit);
        if terms.is_empty() {
            continue;
        }
        let (map, id) = match hit.kind {
            EntryKind::Cause => (&mut evidence.causes, Some(hit.id)),
            EntryKind::Statistic => (&mut evidence.causes, graph.cause_of_statistic(hit.id)),
            EntryKind::Measure => (&mut evidence.measures, Some(hit.id)),
            EntryKind::Strategy => (&mut evidence.strategies, Some(hit.id)),
            _ => continue,
        };
        if let Some(id) = id {
            let entry = map.entry(id).or_insert((0.0, BTreeSet::new()));
            entry.0 = entry.0.max(f64::from(hit.score));
            entry.1.extend(terms);
        }
    }
    for map in [
        &mut evidence.causes,
        &mut evidence.measures,
        &mut evidence.strategies,
    ] {
        let top = map.values().map(|(s, _)| *s).fold(0.0, f64::max);
        for (score, _) in map.values_mut() {
            *score = if top > 0.0 { *score / top } else { 0.0 };
        }
    }
    Ok(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Highlight;

    fn hit(highlights: &[(&'static str, &str)]) -> Hit {
        Hit {
            score: 1.0,
            kind: EntryKind::Cause,
            id: 1,
            slug: "c".into(),
            title: Default::default(),
            highlights: highlights
                .iter()
                .map(|(field, html)| Highlight {
                    field,
                    lang: "zh",
                    html: html.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_name_or_alias_word_is_evidence() {
        let terms = hit_terms(&hit(&[("aliases", "因病<mark>返贫</mark>")]));
        assert_eq!(terms, BTreeSet::from(["返贫".to_string()]));
    }

    #[test]
    fn one_summary_word_is_not_but_two_are() {
        assert!(hit_terms(&hit(&[("summary", "<mark>市场</mark>行情")])).is_empty());
        assert!(hit_terms(&hit(&[("body", "<mark>市场</mark>与<mark>产业</mark>")])).is_empty());
        let two = hit_terms(&hit(&[("summary", "<mark>市场</mark>与<mark>产业</mark>")]));
        assert_eq!(two.len(), 2);
    }
}
