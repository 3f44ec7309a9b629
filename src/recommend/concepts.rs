//! Stages 1 and 2 of the pipeline: reading a description (normalise, split into words) and
//! finding the concepts it names — the names and aliases of causes, kinds of poverty, prongs,
//! measures and glossary terms — longest match first.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;

use entities::*;

use crate::domain::EntryKind;
use crate::graph::Graph;
use crate::kb::Aliases;
use crate::search::normalise::normalise;
use crate::search::tokenizer::{
    english_keys, is_chinese_stop_word, is_cjk, is_word, words_with_keys,
};

/// A record of the concept layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Concept {
    Cause(i32),
    Dimension(i32),
    Strategy(i32),
    Measure(i32),
    Glossary(i32),
}

impl Concept {
    pub fn kind(self) -> EntryKind {
        match self {
            Concept::Cause(_) => EntryKind::Cause,
            Concept::Dimension(_) => EntryKind::Dimension,
            Concept::Strategy(_) => EntryKind::Strategy,
            Concept::Measure(_) => EntryKind::Measure,
            Concept::Glossary(_) => EntryKind::Glossary,
        }
    }

    pub fn id(self) -> i32 {
        match self {
            Concept::Cause(id)
            | Concept::Dimension(id)
            | Concept::Strategy(id)
            | Concept::Measure(id)
            | Concept::Glossary(id) => id,
        }
    }
}

/// Words so common in this domain, or in any description, that a match on them says nothing
/// about the situation (compared by key: the English stem, or the Chinese word).
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
    "工作",
    "发展",
    "今天",
    "一个",
    "这个",
    "什么",
    "还是",
    "可以",
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
    "do",
    "does",
    "did",
    "so",
    "too",
    "also",
    "just",
    "all",
    "any",
    "would",
    "could",
    "should",
    "there",
    "here",
    "been",
    "has",
    "had",
    "were",
    "from",
    "after",
    "about",
    "out",
    "up",
    "more",
    "most",
    "only",
    "than",
    "i",
    "you",
    "he",
    "she",
    "my",
    "your",
    "his",
    "her",
    "its",
    "them",
    "us",
    "me",
];

/// The keys of the generic words (English ones stemmed, as descriptions are).
fn generic_keys() -> &'static HashSet<String> {
    static KEYS: OnceLock<HashSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        GENERIC
            .iter()
            .flat_map(|word| std::iter::once(word.to_string()).chain(english_keys(word)))
            .collect()
    })
}

/// A description as the pipeline reads it: its normal form and its words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading {
    /// The normal form (`search::normalise`): simplified, half-width, case-folded.
    pub text: String,
    /// The words read, in order: (word, key), key being the English stem or the Chinese word.
    pub words: Vec<(String, String)>,
}

/// Stage 1: the normal form of a description and its words (punctuation and symbols dropped).
pub fn read(jieba: &Jieba, text: &str) -> Reading {
    let text = normalise(text);
    let words = words_with_keys(jieba, &text)
        .into_iter()
        .filter(|(word, _)| is_word(word))
        .collect();
    Reading { text, words }
}

/// Whether a word can count as evidence on its own: not a single Chinese character, not a stop
/// word, not one of the domain's generic words.
pub fn is_meaningful(word: &str, key: &str) -> bool {
    let cjk = word.chars().any(is_cjk);
    if cjk && word.chars().count() < 2 {
        return false;
    }
    if !cjk && key.chars().count() < 2 {
        return false;
    }
    !is_chinese_stop_word(word) && !generic_keys().contains(key) && !generic_keys().contains(word)
}

/// The words of a reading that count as evidence and that do not occur in most records of the
/// concept layer (such a word tells no record from another).
pub fn meaningful_words(reading: &Reading, lexicon: &Lexicon) -> Vec<String> {
    let texts = &lexicon.texts;
    let mut words: Vec<String> = Vec::new();
    for (word, key) in &reading.words {
        if !is_meaningful(word, key) || words.contains(word) {
            continue;
        }
        let common = texts.iter().filter(|t| t.contains(key.as_str())).count();
        if common * 2 > texts.len() {
            continue;
        }
        words.push(word.clone());
    }
    words
}

/// The names and summaries of causes, prongs and measures, in normal form.
fn record_texts(graph: &Graph) -> Vec<String> {
    let pair = |zh: &str, en: &str, summary: (&Option<String>, &Option<String>)| {
        normalise(&format!(
            "{zh} {en} {} {}",
            summary.0.as_deref().unwrap_or_default(),
            summary.1.as_deref().unwrap_or_default()
        ))
    };
    let causes = graph
        .causes
        .values()
        .map(|c| pair(&c.name_zh, &c.name_en, (&c.summary_zh, &c.summary_en)));
    let strategies = graph
        .strategies
        .values()
        .map(|s| pair(&s.name_zh, &s.name_en, (&s.summary_zh, &s.summary_en)));
    let measures = graph
        .measures
        .values()
        .map(|m| pair(&m.title_zh, &m.title_en, (&m.summary_zh, &m.summary_en)));
    causes.chain(strategies).chain(measures).collect()
}

/// One concept found in a description.
#[derive(Clone, Debug, PartialEq)]
pub struct ConceptMatch {
    pub concept: Concept,
    /// What matched, as the description has it (in normal form).
    pub term: String,
    /// The record's own name or alias that matched.
    pub name: String,
}

/// A name of a concept: the concept, the name as written, and the word itself for a one-word
/// English name.
type Named = (Concept, String, Option<String>);

/// Names and aliases by their form in a text.
#[derive(Default)]
struct Forms {
    /// Chinese forms (normal form, letters and digits only) -> (concept, name as written).
    chinese: HashMap<String, Vec<(Concept, String)>>,
    longest_chinese: usize,
    /// English forms as sequences of word keys (stems) -> (concept, name as written, the word
    /// itself for a one-word name).
    english: HashMap<Vec<String>, Vec<Named>>,
    longest_english: usize,
}

/// Letters and digits only: 干部干，群众看 and 干部干群众看 are one form.
fn compact(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether a word of the text is a one-word name, itself or as a plural: stems alone would
/// make "school" a "schooling" and "will" a "willing".
fn same_word(word: &str, name: &str) -> bool {
    let plural =
        |a: &str, b: &str| a.strip_suffix('s') == Some(b) || a.strip_suffix("es") == Some(b);
    word == name || plural(word, name) || plural(name, word)
}

impl Forms {
    /// Adds one name of a concept; names that could only match on a generic word or a single
    /// character are left out.
    fn add(&mut self, jieba: &Jieba, concept: Concept, name: &str) {
        let name = name.trim();
        let form = normalise(name);
        if form.chars().any(is_cjk) {
            let form = compact(&form);
            let length = form.chars().count();
            if length < 2 || generic_keys().contains(&form) {
                return;
            }
            self.longest_chinese = self.longest_chinese.max(length);
            self.chinese
                .entry(form)
                .or_default()
                .push((concept, name.to_string()));
        } else {
            let words: Vec<(String, String)> = words_with_keys(jieba, &form)
                .into_iter()
                .filter(|(word, _)| is_word(word))
                .collect();
            if !words.iter().any(|(word, key)| is_meaningful(word, key)) {
                return;
            }
            let single = match words.as_slice() {
                [(word, _)] => Some(word.clone()),
                _ => None,
            };
            let keys: Vec<String> = words.into_iter().map(|(_, key)| key).collect();
            self.longest_english = self.longest_english.max(keys.len());
            self.english
                .entry(keys)
                .or_default()
                .push((concept, name.to_string(), single));
        }
    }

    /// Chinese forms are found in the text (letters and digits only), English ones in the
    /// sequence of word stems; at each place the longest form wins and the text it covers is
    /// not read again, so 因病返贫 is one match, not 因病 and 返贫.
    fn find(&self, reading: &Reading) -> Vec<ConceptMatch> {
        let mut found = Vec::new();
        let chars: Vec<char> = compact(&reading.text).chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let longest = self.longest_chinese.min(chars.len() - i);
            let hit = (2..=longest).rev().find_map(|length| {
                let form: String = chars[i..i + length].iter().collect();
                self.chinese.get(&form).map(|names| (length, form, names))
            });
            match hit {
                Some((length, form, names)) => {
                    found.extend(names.iter().map(|(concept, name)| ConceptMatch {
                        concept: *concept,
                        term: form.clone(),
                        name: name.clone(),
                    }));
                    i += length;
                }
                None => i += 1,
            }
        }
        let english: Vec<&(String, String)> = reading
            .words
            .iter()
            .filter(|(word, _)| !word.chars().any(is_cjk))
            .collect();
        let keys: Vec<String> = english.iter().map(|(_, key)| key.clone()).collect();
        let mut i = 0;
        while i < keys.len() {
            let longest = self.longest_english.min(keys.len() - i);
            let hit = (1..=longest).rev().find_map(|length| {
                let names: Vec<&Named> = self
                    .english
                    .get(&keys[i..i + length])?
                    .iter()
                    .filter(|(_, _, single)| {
                        single
                            .as_deref()
                            .is_none_or(|name| same_word(&english[i].0, name))
                    })
                    .collect();
                (!names.is_empty()).then_some((length, names))
            });
            match hit {
                Some((length, names)) => {
                    let term = english[i..i + length]
                        .iter()
                        .map(|(word, _)| word.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    found.extend(names.into_iter().map(|(concept, name, _)| ConceptMatch {
                        concept: *concept,
                        term: term.clone(),
                        name: name.clone(),
                    }));
                    i += length;
                }
                None => i += 1,
            }
        }
        found
    }
}

/// Every name and alias of the concept layer. Glossary terms are matched on their own, so that
/// a term's longer alias (等靠要思想) never hides the cause that the shorter one names (等靠要).
#[derive(Default)]
pub struct Lexicon {
    records: Forms,
    glossary: Forms,
    /// The names and summaries of causes, prongs and measures, in normal form (to tell words
    /// that occur in most records).
    texts: Vec<String>,
}

/// The lexicon of the graph's current state, built by the first recommendation that needs it
/// and kept until the graph changes.
#[derive(Default)]
pub struct Lexicons(std::sync::Mutex<Option<(Arc<Graph>, Arc<Lexicon>)>>);

impl Lexicons {
    pub fn of(&self, graph: &Arc<Graph>, jieba: &Jieba) -> Arc<Lexicon> {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((built_for, lexicon)) = slot.as_ref() {
            if Arc::ptr_eq(built_for, graph) {
                return lexicon.clone();
            }
        }
        let lexicon = Arc::new(Lexicon::build(jieba, graph));
        *slot = Some((graph.clone(), lexicon.clone()));
        lexicon
    }
}

impl Lexicon {
    /// Reads and stems every name and alias of `graph`: built once per state of the
    /// knowledge base (`Lexicons`), never per request.
    pub fn build(jieba: &Jieba, graph: &Graph) -> Lexicon {
        let mut lexicon = Lexicon {
            texts: record_texts(graph),
            ..Lexicon::default()
        };
        let mut add = |concept: Concept, zh: &[&str], en: &[&str], aliases: Option<&Aliases>| {
            let aliases = aliases.cloned().unwrap_or_default();
            let zh = zh.iter().map(|s| s.to_string()).chain(aliases.zh);
            let en = en.iter().map(|s| s.to_string()).chain(aliases.en);
            for name in zh.chain(en) {
                lexicon.add(jieba, concept, &name);
            }
        };
        for c in graph.causes.values() {
            let aliases = graph.aliases_of::<causes::Entity>(c.id);
            add(Concept::Cause(c.id), &[&c.name_zh], &[&c.name_en], aliases);
        }
        for d in graph.dimensions.values() {
            let aliases = graph.aliases_of::<dimensions::Entity>(d.id);
            add(
                Concept::Dimension(d.id),
                &[&d.name_zh],
                &[&d.name_en],
                aliases,
            );
        }
        for s in graph.strategies.values() {
            let aliases = graph.aliases_of::<strategies::Entity>(s.id);
            add(
                Concept::Strategy(s.id),
                &[&s.name_zh],
                &[&s.name_en],
                aliases,
            );
        }
        for m in graph.measures.values() {
            let aliases = graph.aliases_of::<measures::Entity>(m.id);
            add(
                Concept::Measure(m.id),
                &[&m.title_zh],
                &[&m.title_en],
                aliases,
            );
        }
        for g in graph.glossary.values() {
            let aliases = graph.aliases_of::<glossary_terms::Entity>(g.id);
            add(Concept::Glossary(g.id), &[&g.term], &[&g.english], aliases);
        }
        lexicon
    }

    fn add(&mut self, jieba: &Jieba, concept: Concept, name: &str) {
        match concept {
            Concept::Glossary(_) => self.glossary.add(jieba, concept, name),
            _ => self.records.add(jieba, concept, name),
        }
    }

    /// Stage 2: the concepts a reading names (records first, then glossary terms).
    pub fn find(&self, reading: &Reading) -> Vec<ConceptMatch> {
        let mut found = self.records.find(reading);
        found.extend(self.glossary.find(reading));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn jieba() -> &'static Jieba {
        static JIEBA: OnceLock<std::sync::Arc<Jieba>> = OnceLock::new();
        JIEBA.get_or_init(crate::search::tokenizer::jieba)
    }

    fn lexicon(names: &[(Concept, &str)]) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for (concept, name) in names {
            lexicon.add(jieba(), *concept, name);
        }
        lexicon
    }

    fn found(lexicon: &Lexicon, text: &str) -> Vec<(Concept, String)> {
        lexicon
            .find(&read(jieba(), text))
            .into_iter()
            .map(|m| (m.concept, m.term))
            .collect()
    }

    #[test]
    fn reading_normalises_and_drops_punctuation() {
        let reading = read(jieba(), "孩子輟學，Families ESCAPED！");
        assert_eq!(reading.text, "孩子辍学,families escaped!");
        let words: Vec<&str> = reading.words.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, ["孩子", "辍学", "families", "escaped"]);
    }

    #[test]
    fn single_characters_stop_words_and_generic_words_are_not_evidence() {
        for (word, key) in [
            ("力", "力"),
            ("的", "的"),
            ("贫困", "贫困"),
            ("poverty", "poverti"),
            ("villagers", "villag"),
        ] {
            assert!(!is_meaningful(word, key), "{word}");
        }
        for (word, key) in [("辍学", "辍学"), ("illness", "ill")] {
            assert!(is_meaningful(word, key), "{word}");
        }
    }

    #[test]
    fn the_longest_name_wins_and_covers_its_text() {
        let lexicon = lexicon(&[
            (Concept::Cause(1), "因病返贫"),
            (Concept::Strategy(5), "返贫"),
            (Concept::Strategy(3), "两委班子老化"),
        ]);
        assert_eq!(
            found(&lexicon, "好几户因病返贫，村两委班子老化"),
            [
                (Concept::Cause(1), "因病返贫".to_string()),
                (Concept::Strategy(3), "两委班子老化".to_string())
            ]
        );
        assert_eq!(
            found(&lexicon, "已脫貧的又返貧"),
            [(Concept::Strategy(5), "返贫".to_string())]
        );
    }

    #[test]
    fn english_names_match_by_stems_and_phrases() {
        let lexicon = lexicon(&[
            (Concept::Cause(1), "health shock"),
            (Concept::Cause(2), "drop out of school"),
            (Concept::Strategy(5), "fall back"),
        ]);
        assert_eq!(
            found(
                &lexicon,
                "Children DROPPING out of school after health shocks"
            ),
            [
                // The words that matched, stop words left out.
                (Concept::Cause(2), "dropping out school".to_string()),
                (Concept::Cause(1), "health shocks".to_string())
            ]
        );
        assert!(found(&lexicon, "health is fine").is_empty());
    }

    #[test]
    fn one_word_names_match_the_word_or_its_plural_not_its_stem() {
        let lexicon = lexicon(&[
            (Concept::Strategy(2), "schooling"),
            (Concept::Cause(1), "relapse"),
        ]);
        assert!(found(&lexicon, "the school sports day").is_empty());
        assert_eq!(found(&lexicon, "relapses").len(), 1);
        assert_eq!(found(&lexicon, "schooling costs").len(), 1);
    }

    #[test]
    fn punctuation_does_not_split_a_chinese_name() {
        let lexicon = lexicon(&[(Concept::Cause(1), "干部干群众看")]);
        assert_eq!(found(&lexicon, "干部干，群众看").len(), 1);
    }

    #[test]
    fn a_glossary_term_does_not_hide_a_record_name() {
        let lexicon = lexicon(&[
            (Concept::Glossary(9), "等靠要思想"),
            (Concept::Cause(1), "等靠要"),
        ]);
        let concepts: Vec<Concept> = found(&lexicon, "等靠要思想严重")
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(concepts, [Concept::Cause(1), Concept::Glossary(9)]);
    }

    #[test]
    fn names_of_one_character_or_only_generic_words_are_left_out() {
        let lexicon = lexicon(&[
            (Concept::Cause(1), "力"),
            (Concept::Cause(2), "贫困"),
            (Concept::Cause(3), "poverty"),
        ]);
        assert!(found(&lexicon, "力 贫困 poverty").is_empty());
    }
}
