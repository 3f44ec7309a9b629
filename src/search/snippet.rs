//! Highlights: the passage of a stored text where a query's terms weigh most, HTML-escaped, with
//! each match in `<mark>`.
//!
//! The terms are index terms (normal form: simplified, case-folded; English ones stemmed), so
//! they are looked for in the text's normal form and marked on the text as stored, through the
//! normaliser's trace. Nothing re-tokenizes the whole text: Chinese terms are found in one pass
//! of an Aho-Corasick automaton, and of the English words only those that could stem to a term
//! (same first letter: stemming keeps it) go through the field's analyzer. tantivy's
//! `SnippetGenerator` ran the analyzer over every word and every character of every highlighted
//! text, which was half of a highlighted search.

use std::collections::BTreeMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::normalise::normalise_traced;
use super::tokenizer::{english, is_cjk};

/// Where a passage may begin before its first match, at most: some context, not a paragraph.
const CONTEXT_SHARE: usize = 5;

/// Finds a query's terms in the texts of one field and cuts their best passage.
pub(super) struct Snippets {
    finder: Finder,
    weights: Vec<f32>,
    /// The longest passage, in bytes of the normal form.
    max_bytes: usize,
}

enum Finder {
    /// Terms found anywhere in the text (Chinese has no word boundaries); a Latin term only as a
    /// whole word.
    Substrings(AhoCorasick),
    /// Words whose stem is a term (index of `weights` by stem).
    Stems {
        analyzer: TextAnalyzer,
        stems: BTreeMap<String, usize>,
        /// The first letters of the stems: only words starting with one are stemmed.
        initials: Vec<char>,
    },
}

/// A term found: where in the normal form, and its weight.
#[derive(Clone, Debug, PartialEq)]
struct Found {
    range: Range<usize>,
    weight: f32,
}

impl Snippets {
    /// Snippets of a field whose terms are words or characters of the text itself.
    pub(super) fn substrings(weights: BTreeMap<String, f32>, max_bytes: usize) -> Option<Snippets> {
        let (terms, weights): (Vec<String>, Vec<f32>) = weights.into_iter().unzip();
        // Built per search and field, run over a few short texts: an NFA, which builds fast (the
        // default may build a DFA, which cost a recommendation's many terms 8% of the request).
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&terms)
            .ok()?;
        Some(Snippets {
            finder: Finder::Substrings(automaton),
            weights,
            max_bytes,
        })
    }

    /// Snippets of an English field: `weights` are stems.
    pub(super) fn stems(weights: BTreeMap<String, f32>, max_bytes: usize) -> Snippets {
        let (stems, weights): (Vec<String>, Vec<f32>) = weights.into_iter().unzip();
        let mut initials: Vec<char> = stems.iter().filter_map(|s| s.chars().next()).collect();
        initials.sort_unstable();
        initials.dedup();
        Snippets {
            finder: Finder::Stems {
                analyzer: english(),
                stems: stems.into_iter().enumerate().map(|(i, s)| (s, i)).collect(),
                initials,
            },
            weights,
            max_bytes,
        }
    }

    /// The best passage of `text` as HTML, or `None` when no term occurs in it.
    pub(super) fn html(&mut self, text: &str) -> Option<String> {
        let normal = normalise_traced(text);
        let found = self.find(&normal.text);
        let (window, marks) = best_window(&normal.text, &found, self.max_bytes)?;
        let (from, to) = normal.original_range(window.start, window.end);
        let marks = merge(marks.iter().map(|range| {
            let (start, end) = normal.original_range(range.start, range.end);
            start.max(from)..end.min(to)
        }));
        Some(to_html(text, from..to, &marks))
    }

    /// Every occurrence of a term in `text` (normal form), in order of start.
    fn find(&mut self, text: &str) -> Vec<Found> {
        let mut found: Vec<Found> = match &mut self.finder {
            Finder::Substrings(automaton) => automaton
                .find_overlapping_iter(text)
                .filter(|m| whole_word(text, m.start(), m.end()))
                .map(|m| Found {
                    range: m.range(),
                    weight: self.weights[m.pattern().as_usize()],
                })
                .collect(),
            Finder::Stems {
                analyzer,
                stems,
                initials,
            } => {
                let mut found = Vec::new();
                for (start, word) in words(text) {
                    let initial = word.chars().next();
                    if initial.is_none_or(|c| initials.binary_search(&c).is_err()) {
                        continue;
                    }
                    let mut stream = analyzer.token_stream(word);
                    while let Some(token) = stream.next() {
                        if let Some(&i) = stems.get(&token.text) {
                            found.push(Found {
                                range: start..start + word.len(),
                                weight: self.weights[i],
                            });
                            break;
                        }
                    }
                }
                found
            }
        };
        found.sort_by_key(|f| (f.range.start, f.range.end));
        found
    }
}

/// The runs of letters and digits of `text` with their offsets (the English tokenizer's words).
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(move |word| (word.as_ptr() as usize - text.as_ptr() as usize, word))
}

/// Whether `text[from..to]` is not part of a longer run of Latin letters and digits (Chinese
/// has no word boundaries to respect).
fn whole_word(text: &str, from: usize, to: usize) -> bool {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !is_cjk(c));
    let first = text[from..to].chars().next();
    let last = text[from..to].chars().next_back();
    !(latin(first) && latin(text[..from].chars().next_back())
        || latin(last) && latin(text[to..].chars().next()))
}

/// The passage of at most `max_bytes` whose matches weigh most (the earliest of equals), and
/// the matches inside it. Each candidate starts a little before one of the matches, after a
/// break between clauses or words where there is one, so the passage reads from a beginning.
fn best_window(
    text: &str,
    found: &[Found],
    max_bytes: usize,
) -> Option<(Range<usize>, Vec<Range<usize>>)> {
    let mut best: Option<(f32, Range<usize>)> = None;
    for first in found {
        let start = passage_start(text, first.range.start, max_bytes / CONTEXT_SHARE);
        let end = passage_end(text, start, max_bytes).max(first.range.end);
        let weight: f32 = found
            .iter()
            .filter(|f| f.range.start >= start && f.range.end <= end)
            .map(|f| f.weight)
            .sum();
        if best.as_ref().is_none_or(|(most, _)| weight > *most) {
            best = Some((weight, start..end));
        }
    }
    let (_, window) = best?;
    let inside = found
        .iter()
        .filter(|f| f.range.start >= window.start && f.range.end <= window.end)
        .map(|f| f.range.clone())
        .collect();
    Some((window, inside))
}

/// Where a passage whose first match starts at `at` begins: after the last break between
/// clauses within `context` bytes before it, else at the first word that far back.
fn passage_start(text: &str, at: usize, context: usize) -> usize {
    let earliest = floor_boundary(text, at.saturating_sub(context));
    if earliest == 0 {
        return 0;
    }
    let before = &text[earliest..at];
    if let Some((i, c)) = before
        .char_indices()
        .rev()
        .find(|(_, c)| is_clause_break(*c))
    {
        return earliest + i + c.len_utf8();
    }
    match before.char_indices().find(|(_, c)| c.is_whitespace()) {
        Some((i, c)) => earliest + i + c.len_utf8(),
        None if text[..earliest].ends_with(|c: char| c.is_alphanumeric() && !is_cjk(c)) => at,
        None => earliest,
    }
}

/// Where a passage from `start` ends: `max_bytes` later, not inside a character or a Latin word.
fn passage_end(text: &str, start: usize, max_bytes: usize) -> usize {
    let end = floor_boundary(text, (start + max_bytes).min(text.len()));
    let latin = |c: char| c.is_alphanumeric() && !is_cjk(c);
    let cuts_a_word = text[..end].ends_with(latin) && text[end..].starts_with(latin);
    if !cuts_a_word {
        return end;
    }
    match text[start..end].rfind(|c: char| !latin(c)) {
        Some(i) if i > 0 => start + i,
        _ => end,
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Punctuation that ends a clause, in normal form (NFKC made the full-width ，；！？： ASCII).
fn is_clause_break(c: char) -> bool {
    matches!(c, '。' | '、' | ',' | ';' | '!' | '?' | ':' | '.' | '\n')
}

/// Overlapping ranges as one (a compound and its parts are one mark), in order.
fn merge(ranges: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges.filter(|r| r.start < r.end) {
        match merged.last_mut() {
            Some(last) if range.start < last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// `text[passage]` escaped, with `marks` (in order, inside the passage) in `<mark>`.
fn to_html(text: &str, passage: Range<usize>, marks: &[Range<usize>]) -> String {
    let mut html = String::with_capacity(passage.len() + marks.len() * 13);
    let mut at = passage.start;
    for mark in marks {
        html.push_str(&escape(&text[at..mark.start]));
        html.push_str("<mark>");
        html.push_str(&escape(&text[mark.clone()]));
        html.push_str("</mark>");
        at = mark.end;
    }
    html.push_str(&escape(&text[at..passage.end]));
    html.trim().to_string()
}

/// `text` with the characters HTML gives meaning to escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::normalise::normalise;

    fn zh(terms: &[(&str, f32)], max_bytes: usize, text: &str) -> Option<String> {
        let weights = terms.iter().map(|(t, w)| (t.to_string(), *w)).collect();
        Snippets::substrings(weights, max_bytes).unwrap().html(text)
    }

    fn en(stems: &[&str], max_bytes: usize, text: &str) -> Option<String> {
        let weights = stems.iter().map(|s| (s.to_string(), 1.0)).collect();
        Snippets::stems(weights, max_bytes).html(text)
    }

    #[test]
    fn terms_are_marked_where_the_reader_sees_them() {
        // Traditional characters and full-width letters are found by their normal form.
        assert_eq!(
            zh(&[("饮水", 1.0), ("安全", 1.0)], 300, "保障飲水安全").as_deref(),
            Some("保障<mark>飲水</mark><mark>安全</mark>")
        );
        // A compound and its parts, as jieba's search mode indexed them, are one mark.
        assert_eq!(
            zh(&[("饮水安全", 1.0), ("饮水", 1.0)], 300, "饮水安全").as_deref(),
            Some("<mark>饮水安全</mark>")
        );
        // Latin terms match whole words only, whatever their case.
        assert_eq!(
            zh(&[("app", 1.0)], 300, "APP推广，apple").as_deref(),
            Some("<mark>APP</mark>推广，apple")
        );
        assert_eq!(zh(&[("鸡", 1.0)], 300, "养殖"), None);
    }

    #[test]
    fn english_words_are_found_by_their_stem() {
        assert_eq!(
            en(&["farmer", "wait"], 200, "Farmers waited; the farm waits.").as_deref(),
            Some("<mark>Farmers</mark> <mark>waited</mark>; the farm <mark>waits</mark>.")
        );
        // A stop word is never a match, and nothing is a match when no stem is found.
        assert_eq!(en(&["the"], 200, "the farm"), None);
        assert_eq!(en(&["chicken"], 200, "ducks and geese"), None);
    }

    #[test]
    fn the_passage_is_where_the_terms_weigh_most_and_reads_from_a_beginning() {
        let text = format!(
            "{}。村里修了水窖，饮水安全有了保障，群众很满意。{}",
            "开头的话".repeat(40),
            "结尾的话".repeat(40)
        );
        let html = zh(&[("饮水", 0.5), ("安全", 0.5)], 90, &text).unwrap();
        // The passage starts after the break before its first match, and keeps to its length
        // (in the normal form, where the full-width comma is one byte).
        assert!(
            html.starts_with("<mark>饮水</mark><mark>安全</mark>有了保障"),
            "{html}"
        );
        let plain = html.replace("<mark>", "").replace("</mark>", "");
        assert!(normalise(&plain).len() <= 90, "{plain}");
        // Rarer terms weigh more: the passage goes where the rare one is.
        let text = format!("安全第一。{}罕见的词在这里。", "无关的文字".repeat(30));
        let html = zh(&[("安全", 0.1), ("罕见", 0.9)], 60, &text).unwrap();
        assert!(html.contains("<mark>罕见</mark>"), "{html}");
    }

    #[test]
    fn an_english_passage_neither_starts_nor_ends_inside_a_word() {
        let text = format!(
            "{} households wait for help {}",
            "word ".repeat(50),
            "more ".repeat(50)
        );
        let html = en(&["household"], 80, &text).unwrap();
        let plain = html.replace("<mark>", "").replace("</mark>", "");
        assert!(plain.len() <= 80, "{plain}");
        for word in plain.split(' ').filter(|word| !word.is_empty()) {
            assert!(
                ["word", "more", "households", "wait", "for", "help"].contains(&word),
                "{plain}"
            );
        }
    }

    /// Whatever the text (compatibility forms that change length, combining marks, emoji, text
    /// that ends inside a Latin word), a passage is a piece of the text with balanced marks.
    #[test]
    fn a_passage_is_always_a_piece_of_the_text() {
        let texts = [
            "ＡＢＣ飲水ＡＢＣ安全ｘｙｚ",
            "ﬁrst ﬂoor 饮水 e\u{301}tude 安全 😀饮水😀",
            "饮水",
            "安全",
            "",
            "abcdefghij饮水abcdefghijklmnop安全abcdefghijklmnopqrstuvwxyz",
            "饮水\n\n\n安全。。。，，，",
        ];
        for text in texts {
            for max_bytes in [1, 4, 7, 30, 300] {
                for html in [
                    zh(
                        &[("饮水", 0.5), ("安全", 0.3), ("abc", 0.2)],
                        max_bytes,
                        text,
                    ),
                    en(&["abc", "floor", "etud"], max_bytes, text),
                ]
                .into_iter()
                .flatten()
                {
                    assert_eq!(
                        html.matches("<mark>").count(),
                        html.matches("</mark>").count()
                    );
                    let plain = html
                        .replace("<mark>", "")
                        .replace("</mark>", "")
                        .replace("&amp;", "&");
                    assert!(text.contains(&plain), "{plain:?} in {text:?}");
                }
            }
        }
    }

    #[test]
    fn text_is_escaped_and_marks_are_the_only_markup() {
        assert_eq!(
            zh(&[("鸡", 1.0)], 300, "<b>一只鸡</b> & \"x\"").as_deref(),
            Some("&lt;b&gt;一只<mark>鸡</mark>&lt;/b&gt; &amp; &quot;x&quot;")
        );
    }
}
