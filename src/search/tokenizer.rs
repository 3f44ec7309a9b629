//! Every tokenizer of the index, registered by name in one place:
//!
//! - `zh`: jieba in search mode with the domain dictionary, so compounds are indexed whole and
//!   in their parts (饮水安全 -> 饮水, 安全, 饮水安全);
//! - `en`: words, lowercased, English stop words removed, stemmed;
//! - `cjk`: single characters and character bigrams of Chinese text, the recall safety net
//!   for words that segment differently in the text and in the query (养鸡 vs 养殖, 一只鸡).
//!
//! Every one of them reads the text in its normal form (`super::normalise`: simplified Chinese,
//! half-width, case-folded) and reports offsets into the original text, so 飲水 and 饮水 are one
//! term and highlights still mark the characters the reader sees. No filter lower-cases again:
//! tantivy's `LowerCaser` after the normaliser changed nothing and cost 9% of a reindex.

use std::sync::{Arc, OnceLock};

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{
    Language, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use tantivy::Index;

use super::normalise::normalise_traced;

pub const ZH: &str = "zh";
pub const EN: &str = "en";
pub const CJK: &str = "cjk";

const DOMAIN_TERMS: &str = include_str!("../../data/dict/policy-terms.txt");

/// jieba with the default dictionary and the domain terms; loading it takes a moment, so it is
/// built once at startup and shared.
pub fn jieba() -> Arc<Jieba> {
    let mut jieba = Jieba::new();
    for term in DOMAIN_TERMS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
    {
        jieba.add_word(term, None, None);
    }
    Arc::new(jieba)
}

pub(super) fn register(index: &Index, jieba: &Arc<Jieba>) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        ZH,
        TextAnalyzer::builder(Normalising(ChineseTokenizer {
            jieba: jieba.clone(),
        }))
        .build(),
    );
    tokenizers.register(EN, english());
    tokenizers.register(
        CJK,
        TextAnalyzer::builder(Normalising(CharacterTokenizer)).build(),
    );
}

/// The `en` analyzer. Built once: its stop-word set is a hash set that would otherwise be
/// rebuilt for every query word (a profile of English searches found it in 5% of the time);
/// a clone shares it.
pub(super) fn english() -> TextAnalyzer {
    static ENGLISH: OnceLock<TextAnalyzer> = OnceLock::new();
    ENGLISH
        .get_or_init(|| {
            TextAnalyzer::builder(Normalising(SimpleTokenizer::default()))
                .filter(RemoveLongFilter::limit(40))
                .filter(StopWordFilter::remove(
                    ENGLISH_STOP_WORDS.iter().map(|w| w.to_string()),
                ))
                .filter(Stemmer::new(Language::English))
                .build()
        })
        .clone()
}

/// Lucene's English stop words (those tantivy uses) without "will": here it is a noun, the will
/// to escape poverty (脱贫意愿), which planners type.
const ENGLISH_STOP_WORDS: [&str; 32] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "with",
];

/// Whether a token carries meaning (not punctuation, space or a symbol such as an emoji).
pub fn is_word(token: &str) -> bool {
    token.chars().any(|c| c.is_alphanumeric())
}

/// Chinese function words that would match nearly every record.
pub fn is_chinese_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "的", "了", "和", "与", "及", "在", "是", "有", "都", "也", "就", "要", "我们", "他们",
        "很多", "什么", "怎么", "如何", "哪些", "这个", "那个", "一些", "不", "没有", "我", "村里",
        "问题",
    ];
    STOP.contains(&word)
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Runs a tokenizer over the normal form of the text; token texts are normalised, offsets point
/// into the original text.
#[derive(Clone)]
pub(super) struct Normalising<T>(pub(super) T);

impl<T: Tokenizer> Tokenizer for Normalising<T> {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let normal = normalise_traced(text);
        let mut tokens = Vec::new();
        let mut stream = self.0.token_stream(&normal.text);
        while let Some(token) = stream.next() {
            let mut token = token.clone();
            (token.offset_from, token.offset_to) =
                normal.original_range(token.offset_from, token.offset_to);
            tokens.push(token);
        }
        VecTokenStream { tokens, next: 0 }
    }
}

/// jieba over a shared dictionary: tantivy clones tokenizers freely (per segment, per snippet),
/// and cloning jieba itself would copy its whole dictionary each time.
#[derive(Clone)]
pub(super) struct ChineseTokenizer {
    pub(super) jieba: Arc<Jieba>,
}

pub(super) struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut words = self.jieba.tokenize(text, TokenizeMode::Search, true);
        // Search mode emits a compound after its parts (安全, 饮水, 饮水安全); consumers such as
        // tantivy's snippets expect tokens in text order, and overflow otherwise.
        words.sort_by_key(|token| (token.byte_start, token.byte_end));
        let tokens = words
            .into_iter()
            .filter(|token| is_word(token.word))
            .map(|token| Token {
                // Byte offsets (for highlighting); positions are character offsets, so that
                // overlapping search-mode tokens keep their true place for phrase queries.
                offset_from: token.byte_start,
                offset_to: token.byte_end,
                position: token.start,
                position_length: token.end - token.start,
                text: token.word.to_string(),
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

/// Chinese characters one by one and in overlapping pairs; other words whole.
#[derive(Clone, Default)]
pub(super) struct CharacterTokenizer;

impl Tokenizer for CharacterTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let end_of = |i: usize| {
            chars
                .get(i + 1)
                .map(|&(offset, _)| offset)
                .unwrap_or(text.len())
        };
        let mut i = 0;
        while i < chars.len() {
            let (offset, c) = chars[i];
            if is_cjk(c) {
                tokens.push(Token {
                    offset_from: offset,
                    offset_to: end_of(i),
                    position: i,
                    position_length: 1,
                    text: c.to_string(),
                });
                if let Some(&(_, next)) = chars.get(i + 1).filter(|&&(_, next)| is_cjk(next)) {
                    tokens.push(Token {
                        offset_from: offset,
                        offset_to: end_of(i + 1),
                        position: i,
                        position_length: 2,
                        text: format!("{c}{next}"),
                    });
                }
                i += 1;
            } else if c.is_alphanumeric() {
                let start = i;
                while i < chars.len() && chars[i].1.is_alphanumeric() && !is_cjk(chars[i].1) {
                    i += 1;
                }
                tokens.push(Token {
                    offset_from: offset,
                    offset_to: end_of(i - 1),
                    position: start,
                    position_length: i - start,
                    text: text[offset..end_of(i - 1)].to_string(),
                });
            } else {
                i += 1;
            }
        }
        VecTokenStream { tokens, next: 0 }
    }
}

/// The words of a Chinese query: jieba's default (non-overlapping) segmentation, meaningful
/// tokens only, each with its character offset.
pub fn query_words(jieba: &Jieba, text: &str) -> Vec<(usize, String)> {
    jieba
        .cut(text, true)
        .into_iter()
        .filter(|token| is_word(token.word))
        .map(|token| (token.start, token.word.to_lowercase()))
        .collect()
}

/// The words of a query as a planner would list them: Chinese segmented by jieba, other words
/// lowercased; each with a key to compare words by (the English stem, or the Chinese word).
pub fn words_with_keys(jieba: &Jieba, text: &str) -> Vec<(String, String)> {
    let mut words = Vec::new();
    let mut stemmer = english();
    let mut latin = String::new();
    let mut flush = |latin: &mut String, words: &mut Vec<(String, String)>| {
        {
            let mut stream = stemmer.token_stream(latin);
            while let Some(token) = stream.next() {
                words.push((
                    latin[token.offset_from..token.offset_to].to_lowercase(),
                    token.text.clone(),
                ));
            }
        }
        latin.clear();
    };
    let mut cjk = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            if !latin.is_empty() {
                flush(&mut latin, &mut words);
            }
            cjk.push(c);
        } else {
            if !cjk.is_empty() {
                words.extend(
                    query_words(jieba, &cjk)
                        .into_iter()
                        .map(|(_, w)| (w.clone(), w)),
                );
                cjk.clear();
            }
            latin.push(c);
        }
    }
    flush(&mut latin, &mut words);
    words
}

/// The keys (stems) of the English words of `text`, stop words left out.
pub fn english_keys(text: &str) -> Vec<String> {
    let mut stemmer = english();
    let mut stream = stemmer.token_stream(text);
    let mut keys = Vec::new();
    while let Some(token) = stream.next() {
        keys.push(token.text.clone());
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::Schema;

    fn index() -> &'static Index {
        static INDEX: OnceLock<Index> = OnceLock::new();
        INDEX.get_or_init(|| {
            let index = Index::create_in_ram(Schema::builder().build());
            register(&index, &jieba());
            index
        })
    }

    fn tokens(name: &str, text: &str) -> Vec<(String, usize, usize)> {
        let mut analyzer = index().tokenizers().get(name).unwrap();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.text.clone(), token.offset_from, token.offset_to));
        }
        out
    }

    fn texts(name: &str, text: &str) -> Vec<String> {
        tokens(name, text).into_iter().map(|(t, _, _)| t).collect()
    }

    /// The normaliser folds case before any tokenizer runs, so no analyzer needs a filter that
    /// lower-cases again: every term of every analyzer is already lower case.
    #[test]
    fn every_term_is_lower_case_without_a_lower_casing_filter() {
        let text = "ＡＢＣ Chicken INDUSTRY 飲水安全 ΣΟΦΙΑ İstanbul Ǆungla ﬁrst ÀÉÎ";
        for name in [ZH, EN, CJK] {
            let terms = tokens(name, text);
            assert!(!terms.is_empty(), "{name}");
            for (term, _, _) in terms {
                assert_eq!(term, term.to_lowercase(), "{name}: {term}");
            }
        }
    }

    #[test]
    fn zh_indexes_compounds_whole_and_in_parts() {
        let words = texts(ZH, "饮水安全保障新模式");
        for expected in ["饮水", "安全", "饮水安全"] {
            assert!(words.contains(&expected.to_string()), "{words:?}");
        }
    }

    #[test]
    fn zh_keeps_domain_terms_whole_and_drops_punctuation() {
        let words = texts(ZH, "实现“两不愁三保障”，克服“等靠要”思想！🐔");
        assert!(words.contains(&"两不愁三保障".to_string()), "{words:?}");
        assert!(words.contains(&"等靠要".to_string()), "{words:?}");
        assert!(words.iter().all(|w| is_word(w)), "{words:?}");
    }

    #[test]
    fn zh_offsets_are_byte_offsets() {
        let text = "丰都县“一只鸡”产业链";
        for (word, from, to) in tokens(ZH, text) {
            assert_eq!(&text[from..to], word);
        }
    }

    #[test]
    fn zh_tokens_come_in_text_order() {
        let all = tokens(ZH, "中华人民共和国的饮水安全保障和两不愁三保障");
        let starts: Vec<usize> = all.iter().map(|(_, from, _)| *from).collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{all:?}");
    }

    #[test]
    fn en_lowercases_stems_and_drops_stop_words() {
        assert_eq!(
            texts(EN, "The Farmers are Waiting for hand-outs"),
            ["farmer", "wait", "hand", "out"]
        );
    }

    #[test]
    fn cjk_emits_characters_and_bigrams_with_byte_offsets() {
        let text = "一只鸡 Eggs";
        let all = tokens(CJK, text);
        let words: Vec<&str> = all.iter().map(|(t, _, _)| t.as_str()).collect();
        assert_eq!(words, ["一", "一只", "只", "只鸡", "鸡", "eggs"]);
        for (word, from, to) in &all {
            assert_eq!(text[*from..*to].to_lowercase(), *word);
        }
    }

    #[test]
    fn words_come_with_comparable_keys() {
        let words = words_with_keys(&jieba(), "Families escaped 返贫 and relapse");
        assert_eq!(
            words,
            [
                ("families".to_string(), "famili".to_string()),
                ("escaped".into(), "escap".into()),
                ("返贫".into(), "返贫".into()),
                ("relapse".into(), "relaps".into())
            ]
        );
        assert_eq!(english_keys("Escaping the"), ["escap"]);
    }

    #[test]
    fn every_tokenizer_reads_the_normal_form_and_points_into_the_original() {
        let text = "飲水協會 ＣＨＩＣＫＥＮ";
        for name in [ZH, EN, CJK] {
            for (word, from, to) in tokens(name, text) {
                assert_eq!(
                    crate::search::normalise::normalise(&text[from..to]),
                    word,
                    "{name}"
                );
            }
        }
        assert!(texts(ZH, text).contains(&"饮水".to_string()));
        assert!(texts(CJK, text).contains(&"协会".to_string()));
        assert_eq!(texts(EN, "ＣＨＩＣＫＥＮ Farmers"), ["chicken", "farmer"]);
    }

    #[test]
    fn query_words_are_non_overlapping() {
        let words: Vec<String> = query_words(&jieba(), "很多贫困户因病致贫，孩子辍学")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert!(words.contains(&"因病致贫".to_string()), "{words:?}");
        assert!(!words.contains(&"，".to_string()));
    }
}
