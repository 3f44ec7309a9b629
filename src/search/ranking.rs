//! The ranking of a query's words, in one pass over their postings.
//!
//! A record matches when it holds any word (or the name the query spells, `name`); its score is
//! the sum of its words' scores, plus a bonus far above any such sum when it holds every word as
//! typed, another when its names hold every word, and half the first when every word matched
//! only with near spellings. Built from tantivy's boolean queries, the "every word" clauses were
//! conjunctions of the same words again: each word's postings were read and scored twice or
//! three times, and at 100,000 records the conjunctions were most of a Chinese search's time.
//! Here one union of the words finds and scores a record, and only a record that holds every
//! word is checked against the words as typed and in names (a seek in their postings).
//!
//! Scores are those of the boolean composition it replaced (`BooleanQuery` sums the scores of
//! the clauses that match, `ConstScoreQuery` adds its constant), up to the order of the additions.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// One word: what matches it (as typed or near spellings), as typed when that differs, and in
/// the record's names (titles and aliases).
#[derive(Debug)]
pub(super) struct RankedWord {
    pub lenient: Box<dyn Query>,
    /// `None` when the word has no near spellings: as typed is `lenient` then.
    pub exact: Option<Box<dyn Query>>,
    pub named: Box<dyn Query>,
}

/// The constants added to a record's words' scores.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bonuses {
    /// Every word as typed (given when the query has two words or more).
    pub every_word: Option<Score>,
    /// Every word in the record's names (given when the query has two words or more).
    pub every_word_named: Option<Score>,
    /// Every word, near spellings allowed (given when some word has near spellings).
    pub every_word_lenient: Option<Score>,
}

#[derive(Debug)]
pub(super) struct RankedWords {
    pub words: Vec<RankedWord>,
    /// The query as a record's whole name: a constant-score query that also makes a match.
    pub name: Option<Box<dyn Query>>,
    pub bonuses: Bonuses,
}

// `Box<dyn Query>` is not `Clone`; tantivy clones a query through `box_clone`.
impl Clone for RankedWord {
    fn clone(&self) -> Self {
        RankedWord {
            lenient: self.lenient.box_clone(),
            exact: self.exact.as_ref().map(|q| q.box_clone()),
            named: self.named.box_clone(),
        }
    }
}

impl Clone for RankedWords {
    fn clone(&self) -> Self {
        RankedWords {
            words: self.words.clone(),
            name: self.name.as_ref().map(|q| q.box_clone()),
            bonuses: self.bonuses,
        }
    }
}

impl Query for RankedWords {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = |query: &dyn Query| query.weight(scoring);
        let words = self
            .words
            .iter()
            .map(|word| {
                Ok(WordWeights {
                    lenient: weights(&word.lenient)?,
                    exact: word.exact.as_deref().map(weights).transpose()?,
                    named: weights(&word.named)?,
                })
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(RankedWordsWeight {
            words,
            name: self.name.as_deref().map(weights).transpose()?,
            bonuses: self.bonuses,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for word in &self.words {
            word.lenient.query_terms(visitor);
            if let Some(exact) = &word.exact {
                exact.query_terms(visitor);
            }
            word.named.query_terms(visitor);
        }
        if let Some(name) = &self.name {
            name.query_terms(visitor);
        }
    }
}

struct WordWeights {
    lenient: Box<dyn Weight>,
    exact: Option<Box<dyn Weight>>,
    named: Box<dyn Weight>,
}

struct RankedWordsWeight {
    words: Vec<WordWeights>,
    name: Option<Box<dyn Weight>>,
    bonuses: Bonuses,
}

impl Weight for RankedWordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let scorer = |weight: &dyn Weight| weight.scorer(reader, boost);
        let mut words = Vec::with_capacity(self.words.len());
        for word in &self.words {
            words.push(WordScorers {
                lenient: scorer(word.lenient.as_ref())?,
                exact: word.exact.as_deref().map(scorer).transpose()?,
                named: scorer(word.named.as_ref())?,
            });
        }
        let bonus = |value: Option<Score>| value.map(|v| v * boost);
        Ok(Box::new(RankedWordsScorer::new(
            words,
            self.name.as_deref().map(scorer).transpose()?,
            Bonuses {
                every_word: bonus(self.bonuses.every_word),
                every_word_named: bonus(self.bonuses.every_word_named),
                every_word_lenient: bonus(self.bonuses.every_word_lenient),
            },
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new("ranked words", scorer.score()))
    }
}

struct WordScorers {
    lenient: Box<dyn Scorer>,
    exact: Option<Box<dyn Scorer>>,
    named: Box<dyn Scorer>,
}

/// On `doc`: does `scorer` match it? Only ever asked for increasing documents.
fn matches(scorer: &mut dyn Scorer, doc: DocId) -> bool {
    if scorer.doc() < doc {
        scorer.seek(doc);
    }
    scorer.doc() == doc
}

struct RankedWordsScorer {
    words: Vec<WordScorers>,
    name: Option<Box<dyn Scorer>>,
    bonuses: Bonuses,
    doc: DocId,
}

impl RankedWordsScorer {
    fn new(words: Vec<WordScorers>, name: Option<Box<dyn Scorer>>, bonuses: Bonuses) -> Self {
        let mut scorer = RankedWordsScorer {
            words,
            name,
            bonuses,
            doc: TERMINATED,
        };
        scorer.doc = scorer.first_doc();
        scorer
    }

    /// The union's scorers: each word (as typed or near spellings) and the name.
    fn union(&mut self) -> impl Iterator<Item = &mut Box<dyn Scorer>> {
        self.words
            .iter_mut()
            .map(|word| &mut word.lenient)
            .chain(self.name.as_mut())
    }

    fn first_doc(&mut self) -> DocId {
        self.union().map(|s| s.doc()).min().unwrap_or(TERMINATED)
    }
}

impl DocSet for RankedWordsScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for scorer in self.union() {
            if scorer.doc() == doc {
                scorer.advance();
            }
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for scorer in self.union() {
            if scorer.doc() < target {
                scorer.seek(target);
            }
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.words
            .iter()
            .map(|word| &word.lenient)
            .chain(self.name.as_ref())
            .map(|s| s.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for RankedWordsScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut score = 0.0;
        let mut held = 0;
        for word in &mut self.words {
            if word.lenient.doc() == doc {
                score += word.lenient.score();
                held += 1;
            }
        }
        if let Some(name) = self.name.as_mut().filter(|name| name.doc() == doc) {
            score += name.score();
        }
        if held < self.words.len() {
            return score;
        }
        let Bonuses {
            every_word,
            every_word_named,
            every_word_lenient,
        } = self.bonuses;
        score += every_word_lenient.unwrap_or(0.0);
        let as_typed = |word: &mut WordScorers| match &mut word.exact {
            Some(exact) => matches(exact.as_mut(), doc),
            None => true,
        };
        if let Some(bonus) = every_word.filter(|_| self.words.iter_mut().all(as_typed)) {
            score += bonus;
        }
        let named = |word: &mut WordScorers| matches(word.named.as_mut(), doc);
        if let Some(bonus) = every_word_named.filter(|_| self.words.iter_mut().all(named)) {
            score += bonus;
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, DocAddress, Index};

    use super::*;

    fn term(field: Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        ))
    }

    fn any(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))
    }

    fn every(clauses: Vec<Box<dyn Query>>, bonus: Score) -> Box<dyn Query> {
        let all = clauses.into_iter().map(|q| (Occur::Must, q)).collect();
        Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(all)),
            bonus,
        ))
    }

    /// Every match with its score, best first (ties by address).
    fn ranked(index: &Index, query: &dyn Query) -> Vec<(DocAddress, Score)> {
        let searcher = index.reader().unwrap().searcher();
        let mut top = searcher
            .search(query, &TopDocs::with_limit(100).order_by_score())
            .unwrap();
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        top.into_iter().map(|(score, doc)| (doc, score)).collect()
    }

    #[test]
    fn scores_are_those_of_the_boolean_composition_it_replaced() {
        let mut builder = Schema::builder();
        let (title, body, names) = (
            builder.add_text_field("title", TEXT),
            builder.add_text_field("body", TEXT),
            builder.add_text_field("names", TEXT),
        );
        let index = Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for (t, b, n) in [
            ("water safety", "drinking water for every village", "water"),
            ("water", "safety of the water supply, water again", ""),
            ("roads", "water and roads", "roads"),
            ("safety nets", "health safety", "nets"),
            ("nothing", "unrelated text", ""),
            ("watr", "a typo of water in the title", "watr"),
            ("safety", "watr safety", "safety"),
        ] {
            writer
                .add_document(doc!(title => t, body => b, names => n))
                .unwrap();
        }
        writer.commit().unwrap();

        let word = |text: &str| {
            any(vec![
                Box::new(BoostQuery::new(term(title, text), 3.0)),
                term(body, text),
            ])
        };
        let named = |text: &str| any(vec![Box::new(BoostQuery::new(term(title, text), 3.0))]);
        let name =
            || -> Box<dyn Query> { Box::new(ConstScoreQuery::new(term(names, "roads"), 5000.0)) };
        // "water safety" where "water" also reads as its near spelling "watr".
        let fuzzy = || any(vec![Box::new(BoostQuery::new(word("watr"), 0.5))]);
        let lenient = || any(vec![word("water"), fuzzy()]);

        let composed = BooleanQuery::new(vec![
            (Occur::Must, any(vec![lenient(), word("safety"), name()])),
            (
                Occur::Should,
                every(vec![word("water"), word("safety")], 1000.0),
            ),
            (
                Occur::Should,
                every(vec![named("water"), named("safety")], 200.0),
            ),
            (Occur::Should, every(vec![lenient(), word("safety")], 500.0)),
        ]);
        let words = RankedWords {
            words: vec![
                RankedWord {
                    lenient: lenient(),
                    exact: Some(word("water")),
                    named: named("water"),
                },
                RankedWord {
                    lenient: word("safety"),
                    exact: None,
                    named: named("safety"),
                },
            ],
            name: Some(name()),
            bonuses: Bonuses {
                every_word: Some(1000.0),
                every_word_named: Some(200.0),
                every_word_lenient: Some(500.0),
            },
        };

        let (expected, got) = (ranked(&index, &composed), ranked(&index, &words));
        assert_eq!(
            expected.len(),
            6,
            "every record but the unrelated one: {expected:?}"
        );
        assert_eq!(
            expected.iter().map(|(doc, _)| *doc).collect::<Vec<_>>(),
            got.iter().map(|(doc, _)| *doc).collect::<Vec<_>>()
        );
        for ((_, a), (_, b)) in expected.iter().zip(&got) {
            assert!(
                (a - b).abs() < 1e-3 * a.abs().max(1.0),
                "{expected:?} vs {got:?}"
            );
        }
        // Every bonus took part: the name (5,000); every word as typed, in names and with near
        // spellings (1,700); as typed and with near spellings (1,500); with near spellings only
        // (500).
        let scores: Vec<Score> = got.iter().map(|(_, s)| *s).collect();
        for band in [5000.0, 1700.0, 1500.0, 500.0] {
            assert!(
                scores.iter().any(|s| *s >= band && *s < band + 100.0),
                "{band}: {scores:?}"
            );
        }
        let searcher = index.reader().unwrap().searcher();
        let explained = words
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap()
            .explain(searcher.segment_reader(0), got[0].0.doc_id)
            .unwrap();
        assert!((explained.value() - got[0].1).abs() < 1e-3);
    }

    #[test]
    fn the_words_terms_are_the_terms_of_every_clause() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field("text", TEXT);
        let words = RankedWords {
            words: vec![RankedWord {
                lenient: term(field, "a"),
                exact: Some(term(field, "b")),
                named: term(field, "c"),
            }],
            name: Some(term(field, "d")),
            bonuses: Bonuses {
                every_word: None,
                every_word_named: None,
                every_word_lenient: None,
            },
        };
        let mut terms = Vec::new();
        words
            .clone()
            .query_terms(&mut |term, _| terms.push(term.value().as_str().unwrap().to_string()));
        assert_eq!(terms, ["a", "b", "c", "d"]);
    }
}
