//! Full-text evidence for a description, restricted to what is meaningful: its meaningful words
//! (see `concepts::meaningful_words`) found whole in the names, aliases and summaries of causes,
//! survey figures, measures and prongs (never by single character, never by a guessed spelling).

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::EntryKind;
use crate::error::AppResult;
use crate::graph::Graph;
use crate::search::tokenizer::english_keys;
use crate::search::{Hit, Scope, Search, SearchRequest, UserQuery, MAX_QUERY_CHARS};

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

/// The words that make a hit evidence, or none: at least two different words (by stem) of the
/// description in the record's name, aliases or summary, or one that is a term of the glossary
/// (`terms`). One everyday word is too weak: a sentence about the weather can share "rain" with
/// a factor about farmland, "school" with one about schooling.
pub fn hit_terms(hit: &Hit, terms_of_art: &BTreeSet<String>) -> BTreeSet<String> {
    let terms: BTreeSet<String> = hit
        .highlights
        .iter()
        .filter(|h| matches!(h.field, "title" | "aliases" | "summary"))
        .flat_map(|h| marked_terms(&h.html))
        .collect();
    let keys: BTreeSet<String> = terms.iter().map(|term| word_key(term)).collect();
    if keys.len() >= 2 || terms.iter().any(|term| terms_of_art.contains(term)) {
        terms
    } else {
        BTreeSet::new()
    }
}

/// What tells words apart: the English stem, or the Chinese word itself.
fn word_key(term: &str) -> String {
    english_keys(term)
        .into_iter()
        .next()
        .unwrap_or_else(|| term.to_string())
}

/// Searches the meaningful words of a description (statistics count for the cause they
/// quantify).
pub async fn find(
    search: &Search,
    graph: &Graph,
    words: &[String],
    terms_of_art: &BTreeSet<String>,
) -> AppResult<TextEvidence> {
    if words.is_empty() {
        return Ok(TextEvidence::default());
    }
    // A long description has more words than a search takes: the first ones are searched.
    let mut query = String::new();
    for word in words {
        if query.chars().count() + word.chars().count() + 1 > MAX_QUERY_CHARS {
            break;
        }
        query.push_str(word);
        query.push(' ');
    }
    let request = SearchRequest {
        query: UserQuery::parse(&query)?,
        kinds: vec![
            EntryKind::Cause,
            EntryKind::Statistic,
            EntryKind::Measure,
            EntryKind::Strategy,
        ],
        limit: 40,
        without_facets: true,
        scope: Scope::Evidence,
        ..Default::default()
    };
    let mut evidence = TextEvidence::default();
    for hit in search.search(request).await?.hits {
        let terms = hit_terms(&hit, terms_of_art);
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
                    lang: crate::domain::Lang::Zh,
                    html: html.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn one_word_is_not_evidence_but_two_different_words_are() {
        let none = BTreeSet::new();
        assert!(hit_terms(&hit(&[("aliases", "因病<mark>返贫</mark>")]), &none).is_empty());
        let runs = hit(&[
            ("title", "<mark>runs</mark>"),
            ("summary", "<mark>run</mark>"),
        ]);
        assert!(hit_terms(&runs, &none).is_empty());
        let body = hit(&[("body", "<mark>市场</mark>与<mark>产业</mark>")]);
        assert!(hit_terms(&body, &none).is_empty());
        let two = hit(&[
            ("title", "<mark>市场</mark>"),
            ("summary", "<mark>产业</mark>"),
        ]);
        assert_eq!(hit_terms(&two, &none).len(), 2);
    }

    #[test]
    fn one_term_of_the_glossary_is_evidence() {
        let one = hit(&[("summary", "落实<mark>控辍保学</mark>")]);
        let glossary = BTreeSet::from(["控辍保学".to_string()]);
        assert_eq!(hit_terms(&one, &glossary), glossary);
    }
}
