//! The ranking of a query's words, in one pass over their postings.
//!
//! A record matches when it holds any word (or the name the query spells, `name`) and passes the
//! filters (the kinds and facets asked for, no excluded word); its score is the sum of its words'
//! scores, plus a bonus far above any such sum when it holds every word as typed, another when
//! its names hold every word, and half the first when every word matched only with near
//! spellings. Built from tantivy's boolean queries, the "every word" clauses were conjunctions of
//! the same words again: each word's postings were read and scored two or three times. Here one
//! union of the words finds and scores a record, and only a record that holds every word is
//! checked against the words as typed and in names (a seek in their postings). Scores are those
//! of the boolean composition it replaced (`BooleanQuery` sums the scores of the clauses that
//! match, `ConstScoreQuery` adds its constant), up to the order of the additions; filters never
//! score.
//!
//! `RankedWords::top` skips what cannot reach the page: each word's highest possible score is
//! known (BM25's bound per term, through `Boost`, `Union`, boolean, term and phrase queries), so
//! once the k-th best score is above what a record lacking a word could score, only records
//! holding every word are visited (a leapfrog over the words' postings), and once it is above
//! what a record without every word in its names could score, only those. The record the query
//! names is always visited. A word's clauses are a `Union` scored lazily (tantivy's union scores
//! every record of a window as it fills it). When `top` skipped nothing it has counted the
//! matches on the way; otherwise they are counted with scoring off, where the query is a plain
//! boolean query and a Chinese word is its character net alone (`RankedWord::found`): a common
//! Chinese query at 100,000 records matches a third of them, and the count reads fewer postings
//! than the ranking did before.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, BooleanQuery, BoostWeight, EmptyQuery, EnableScoring,
    Explanation, Occur, PhraseQuery, Query, Scorer, TermQuery, Weight,
};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TantivyError, Term, TERMINATED,
};

/// One word: what matches it (as typed or near spellings), as typed when that differs, and in
/// the record's names (titles and aliases).
#[derive(Debug)]
pub(super) struct RankedWord {
    pub lenient: Box<dyn Query>,
    /// `None` when the word has no near spellings: as typed is `lenient` then.
    pub exact: Option<Box<dyn Query>>,
    pub named: Box<dyn Query>,
    /// The records of `lenient`, found with fewer postings, to count them (a Chinese word's
    /// character net: every record with the word has its characters).
    pub found: Option<Box<dyn Query>>,
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
    pub filters: Filters<Box<dyn Query>>,
}

/// What narrows a search without scoring: every `required` query matches a record (the kinds
/// and facets asked for), no `excluded` one does (the words typed with a minus).
#[derive(Debug)]
pub(super) struct Filters<T> {
    pub required: Vec<T>,
    pub excluded: Vec<T>,
}

impl<T> Default for Filters<T> {
    fn default() -> Self {
        Filters {
            required: Vec::new(),
            excluded: Vec::new(),
        }
    }
}

impl<T> Filters<T> {
    fn try_map<U>(&self, f: impl Fn(&T) -> tantivy::Result<U>) -> tantivy::Result<Filters<U>> {
        Ok(Filters {
            required: self
                .required
                .iter()
                .map(&f)
                .collect::<tantivy::Result<_>>()?,
            excluded: self
                .excluded
                .iter()
                .map(&f)
                .collect::<tantivy::Result<_>>()?,
        })
    }
}

impl Clone for Filters<Box<dyn Query>> {
    fn clone(&self) -> Self {
        let clone = |queries: &[Box<dyn Query>]| queries.iter().map(|q| q.box_clone()).collect();
        Filters {
            required: clone(&self.required),
            excluded: clone(&self.excluded),
        }
    }
}

impl Filters<Box<dyn Scorer>> {
    /// Does `doc` pass? Only ever asked for increasing documents.
    fn pass(&mut self, doc: DocId) -> bool {
        self.required.iter_mut().all(|s| matches(s.as_mut(), doc))
            && !self.excluded.iter_mut().any(|s| matches(s.as_mut(), doc))
    }
}

/// `weight` times the scores of `query`: tantivy's `BoostQuery`, whose parts cannot be read,
/// so that a word's highest possible score can be.
#[derive(Debug)]
pub(super) struct Boost {
    pub query: Box<dyn Query>,
    pub weight: Score,
}

impl Clone for Boost {
    fn clone(&self) -> Self {
        Boost {
            query: self.query.box_clone(),
            weight: self.weight,
        }
    }
}

impl Query for Boost {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weight = self.query.weight(scoring)?;
        Ok(match scoring.is_scoring_enabled() {
            true => Box::new(BoostWeight::new(weight, self.weight)),
            false => weight,
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor)
    }
}

/// The sum of the scores of the clauses a record matches, as a boolean query of `Should`
/// clauses gives, but scored only for the records asked for: tantivy's union scores every
/// record of a 4,096-record window as it fills it, which a search that skips records would
/// pay for all the same. Counting (scoring off) is tantivy's union, faster at visiting all.
#[derive(Debug)]
pub(super) struct Union(pub Vec<Box<dyn Query>>);

impl Clone for Union {
    fn clone(&self) -> Self {
        Union(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl Query for Union {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if !scoring.is_scoring_enabled() {
            return BooleanQuery::union(self.0.iter().map(|q| q.box_clone()).collect())
                .weight(scoring);
        }
        let clauses = self.0.iter().map(|q| q.weight(scoring));
        Ok(Box::new(UnionWeight(
            clauses.collect::<tantivy::Result<_>>()?,
        )))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.0 {
            clause.query_terms(visitor);
        }
    }
}

struct UnionWeight(Vec<Box<dyn Weight>>);

impl Weight for UnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let clauses = self.0.iter().map(|w| w.scorer(reader, boost));
        Ok(Box::new(UnionScorer::new(
            clauses.collect::<tantivy::Result<_>>()?,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain(self.scorer(reader, 1.0)?, doc, "union")
    }
}

fn explain(
    mut scorer: Box<dyn Scorer>,
    doc: DocId,
    description: &'static str,
) -> tantivy::Result<Explanation> {
    if scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "Document #({doc}) does not match"
        )));
    }
    Ok(Explanation::new(description, scorer.score()))
}

struct UnionScorer {
    clauses: Vec<Box<dyn Scorer>>,
    /// Each clause's record, kept here: a union asks for them at every step, and each asking
    /// of a boxed scorer is a call through its vtable.
    docs: Vec<DocId>,
    doc: DocId,
}

impl UnionScorer {
    fn new(clauses: Vec<Box<dyn Scorer>>) -> UnionScorer {
        let docs = clauses.iter().map(|clause| clause.doc()).collect();
        let mut union = UnionScorer {
            clauses,
            docs,
            doc: TERMINATED,
        };
        union.doc = union.first_doc();
        union
    }

    fn first_doc(&self) -> DocId {
        self.docs.iter().copied().min().unwrap_or(TERMINATED)
    }

    /// Moves clause `i` alone to its first record from `target` on; `seek` or `advance` puts
    /// the union back on its first record.
    fn seek_clause(&mut self, i: usize, target: DocId) -> DocId {
        if self.docs[i] < target {
            self.docs[i] = self.clauses[i].seek(target);
        }
        self.docs[i]
    }

    /// The clauses on the union's record, by index.
    fn on_doc(&mut self) -> impl Iterator<Item = (usize, &mut Box<dyn Scorer>)> {
        let doc = self.doc;
        let docs = &self.docs;
        self.clauses
            .iter_mut()
            .enumerate()
            .filter(move |(i, _)| docs[*i] == doc)
    }
}

impl DocSet for UnionScorer {
    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for (clause, at) in self.clauses.iter_mut().zip(&mut self.docs) {
            if *at == doc {
                *at = clause.advance();
            }
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for i in 0..self.clauses.len() {
            self.seek_clause(i, target);
        }
        self.doc = self.first_doc();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses
            .iter()
            .map(|s| s.size_hint())
            .max()
            .unwrap_or(0)
    }
}

impl Scorer for UnionScorer {
    fn score(&mut self) -> Score {
        self.on_doc().map(|(_, clause)| clause.score()).sum()
    }
}

/// The highest score `query` can give a record: per term, BM25's bound (its weight, reached as
/// the term's frequency grows without end); `None` for a kind of query it does not know.
fn upper_bound(
    query: &dyn Query,
    statistics: &dyn Bm25StatisticsProvider,
) -> tantivy::Result<Option<Score>> {
    let bm25 = |terms: &[Term]| Ok(Some(Bm25Weight::for_terms(statistics, terms)?.max_score()));
    if let Some(boost) = query.downcast_ref::<Boost>() {
        Ok(upper_bound(boost.query.as_ref(), statistics)?.map(|bound| bound * boost.weight))
    } else if let Some(term) = query.downcast_ref::<TermQuery>() {
        bm25(std::slice::from_ref(term.term()))
    } else if let Some(phrase) = query.downcast_ref::<PhraseQuery>() {
        bm25(&phrase.phrase_terms())
    } else if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        let scored = boolean
            .clauses()
            .iter()
            .filter(|(occur, _)| *occur != Occur::MustNot);
        sum_of_bounds(scored.map(|(_, clause)| clause.as_ref()), statistics)
    } else if let Some(union) = query.downcast_ref::<Union>() {
        sum_of_bounds(union.0.iter().map(|clause| clause.as_ref()), statistics)
    } else if query.is::<EmptyQuery>() {
        Ok(Some(0.0))
    } else {
        Ok(None)
    }
}

fn sum_of_bounds<'a>(
    clauses: impl Iterator<Item = &'a dyn Query>,
    statistics: &dyn Bm25StatisticsProvider,
) -> tantivy::Result<Option<Score>> {
    let mut sum = 0.0;
    for clause in clauses {
        match upper_bound(clause, statistics)? {
            Some(bound) => sum += bound,
            None => return Ok(None),
        }
    }
    Ok(Some(sum))
}

/// The `k` best-scoring records offered, earlier records first among equal scores (records
/// are offered in order).
struct Best {
    k: usize,
    heap: BinaryHeap<Reverse<Entry>>,
}

/// A record by its score, then the earlier first.
#[derive(PartialEq)]
struct Entry(Score, DocId);

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Best {
    fn new(k: usize) -> Best {
        Best {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    fn offer(&mut self, score: Score, doc: DocId) {
        if score > self.threshold() {
            self.heap.push(Reverse(Entry(score, doc)));
            if self.heap.len() > self.k {
                self.heap.pop();
            }
        }
    }

    /// The score a record must beat to enter.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(Reverse(Entry(score, _))) if self.heap.len() >= self.k => *score,
            _ => Score::MIN,
        }
    }

    fn into_vec(self) -> Vec<(Score, DocId)> {
        self.heap
            .into_iter()
            .map(|Reverse(Entry(score, doc))| (score, doc))
            .collect()
    }
}

/// The scores above which a top-k search may skip records.
#[derive(Clone, Copy, Debug)]
struct Skips {
    /// No record lacking a word (other than the one the query names) scores more.
    lacking_a_word: Score,
    /// No record holding every word but not every word in its names scores more.
    not_named: Option<Score>,
}

impl Skips {
    fn new(words: Score, bonuses: Bonuses) -> Skips {
        let every_word =
            words + bonuses.every_word.unwrap_or(0.0) + bonuses.every_word_lenient.unwrap_or(0.0);
        Skips {
            lacking_a_word: words,
            not_named: bonuses.every_word_named.map(|_| every_word),
        }
    }

    /// What a record must hold to score above `threshold`.
    fn needed(&self, threshold: Score) -> Needed {
        match self.not_named {
            Some(bound) if threshold >= bound => Needed::EveryWordNamed,
            _ if threshold >= self.lacking_a_word => Needed::EveryWord,
            _ => Needed::AnyWord,
        }
    }
}

enum Needed {
    AnyWord,
    EveryWord,
    EveryWordNamed,
}

// `Box<dyn Query>` is not `Clone`; tantivy clones a query through `box_clone`.
impl Clone for RankedWord {
    fn clone(&self) -> Self {
        RankedWord {
            lenient: self.lenient.box_clone(),
            exact: self.exact.as_ref().map(|q| q.box_clone()),
            named: self.named.box_clone(),
            found: self.found.as_ref().map(|q| q.box_clone()),
        }
    }
}

impl Clone for RankedWords {
    fn clone(&self) -> Self {
        RankedWords {
            words: self.words.clone(),
            name: self.name.as_ref().map(|q| q.box_clone()),
            bonuses: self.bonuses,
            filters: self.filters.clone(),
        }
    }
}

impl Query for RankedWords {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        match scoring.is_scoring_enabled() {
            true => Ok(Box::new(self.ranked_weight(scoring)?)),
            // Counting: tantivy's boolean query visits its matches in blocks.
            false => self.matching().weight(scoring),
        }
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

/// Below this many records in its longest postings, a segment is scored whole: its one pass
/// also counts, where skipping would need a second pass to count. On the bundled data (192
/// records) skipping and counting again made a search without highlights 8-26% slower.
const SKIP_FROM: u32 = 2_048;

/// The best records of a search, best first (ties: the earlier record), and how many records
/// match when the ranking had to visit them all (it skipped none).
pub(super) struct Ranked {
    pub top: Vec<(Score, DocAddress)>,
    pub matches: Option<usize>,
}

impl RankedWords {
    /// The best `k` records. One pass ranks and, when it skips nothing, counts: a query whose
    /// matches are few is never read twice.
    pub(super) fn top(&self, searcher: &Searcher, k: usize) -> tantivy::Result<Ranked> {
        let weight = self.ranked_weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut top = Vec::new();
        let mut matches = Some(0);
        for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
            let alive = reader.alive_bitset();
            let mut best = Best::new(k);
            let mut alive_matches = 0;
            let mut scorer = weight.ranked_scorer(reader, 1.0)?;
            if scorer.size_hint() < SKIP_FROM {
                scorer.skips = None;
            }
            let skipped = scorer.visit(&mut |doc, score| {
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    alive_matches += 1;
                    best.offer(score, doc);
                }
                best.threshold()
            });
            matches = matches.filter(|_| !skipped).map(|n| n + alive_matches);
            top.extend(
                best.into_vec()
                    .into_iter()
                    .map(|(score, doc)| (score, DocAddress::new(ordinal as u32, doc))),
            );
        }
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        top.truncate(k);
        Ok(Ranked { top, matches })
    }

    /// Where a top-k search may skip records: `None` when scoring is off or some word's bound
    /// is unknown (then every match is visited).
    fn skips(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Option<Skips>> {
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = scoring
        else {
            return Ok(None);
        };
        let mut words = 0.0;
        for word in &self.words {
            match upper_bound(word.lenient.as_ref(), statistics_provider)? {
                Some(bound) => words += bound,
                None => return Ok(None),
            }
        }
        Ok(Some(Skips::new(words, self.bonuses)))
    }

    /// The records it matches, as a boolean query.
    fn matching(&self) -> BooleanQuery {
        let words = self
            .words
            .iter()
            .map(|w| w.found.as_ref().unwrap_or(&w.lenient));
        let union = words.chain(&self.name).map(|q| q.box_clone()).collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::union(union)))];
        let filters = &self.filters;
        clauses.extend(
            filters
                .required
                .iter()
                .map(|q| (Occur::Must, q.box_clone())),
        );
        clauses.extend(
            filters
                .excluded
                .iter()
                .map(|q| (Occur::MustNot, q.box_clone())),
        );
        BooleanQuery::new(clauses)
    }

    fn ranked_weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<RankedWordsWeight> {
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
        // Filters narrow, they never score.
        Ok(RankedWordsWeight {
            words,
            name: self.name.as_deref().map(weights).transpose()?,
            bonuses: self.bonuses,
            skips: self.skips(scoring)?,
            filters: self.filters.try_map(|query| {
                query.weight(EnableScoring::Disabled {
                    schema: scoring.schema(),
                    searcher_opt: scoring.searcher(),
                })
            })?,
        })
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
    skips: Option<Skips>,
    filters: Filters<Box<dyn Weight>>,
}

impl Weight for RankedWordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.ranked_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain(self.scorer(reader, 1.0)?, doc, "ranked words")
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut threshold = threshold;
        self.ranked_scorer(reader, 1.0)?.visit(&mut |doc, score| {
            if score > threshold {
                threshold = callback(doc, score);
            }
            threshold
        });
        Ok(())
    }
}

impl RankedWordsWeight {
    fn ranked_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<RankedWordsScorer> {
        let scorer = |weight: &dyn Weight| weight.scorer(reader, boost);
        let lenient = self.words.iter().map(|word| scorer(word.lenient.as_ref()));
        let name = self.name.as_deref().map(scorer);
        let union = UnionScorer::new(lenient.chain(name).collect::<tantivy::Result<_>>()?);
        let mut words = Vec::with_capacity(self.words.len());
        for word in &self.words {
            words.push(WordScorers {
                exact: word.exact.as_deref().map(scorer).transpose()?,
                named: scorer(word.named.as_ref())?,
            });
        }
        let boosted = |value: Score| value * boost;
        let skips = self.skips.map(|skips| Skips {
            lacking_a_word: boosted(skips.lacking_a_word),
            not_named: skips.not_named.map(boosted),
        });
        let mut scorer = RankedWordsScorer {
            union,
            words,
            bonuses: Bonuses {
                every_word: self.bonuses.every_word.map(boosted),
                every_word_named: self.bonuses.every_word_named.map(boosted),
                every_word_lenient: self.bonuses.every_word_lenient.map(boosted),
            },
            skips,
            filters: self.filters.try_map(|weight| weight.scorer(reader, 1.0))?,
        };
        scorer.settle();
        Ok(scorer)
    }
}

/// A word's scorers besides the union's: as typed (when it differs) and in names.
struct WordScorers {
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
    /// Each word (as typed or near spellings), in order, then the name, if any.
    union: UnionScorer,
    words: Vec<WordScorers>,
    bonuses: Bonuses,
    skips: Option<Skips>,
    filters: Filters<Box<dyn Scorer>>,
}

impl RankedWordsScorer {
    /// From the union's record, on to the first that passes the filters.
    fn settle(&mut self) -> DocId {
        while self.union.doc != TERMINATED && !self.filters.pass(self.union.doc) {
            self.union.advance();
        }
        self.union.doc
    }

    /// Scores every record that may score above the threshold `callback` returns, in order,
    /// and hands it to `callback`; says whether it skipped records (if not, it scored every
    /// match).
    fn visit(&mut self, callback: &mut dyn FnMut(DocId, Score) -> Score) -> bool {
        let mut skipped = false;
        while self.doc() != TERMINATED {
            let threshold = callback(self.doc(), self.score());
            match self.skips.map(|skips| skips.needed(threshold)) {
                None | Some(Needed::AnyWord) => {
                    self.advance();
                }
                Some(needed) => {
                    skipped = true;
                    self.advance_to_every_word(matches!(needed, Needed::EveryWordNamed));
                }
            }
        }
        skipped
    }

    /// Moves to the next record that holds every word (in its names when `named`) or that the
    /// query names, whichever comes first: a leapfrog, each word's postings seeked to the
    /// furthest record another word is on, that never passes the named record.
    fn advance_to_every_word(&mut self, named: bool) {
        let next = self.doc() + 1;
        let words = self.words.len();
        // The name's clause, after the words'.
        let limit = match words < self.union.clauses.len() {
            true => self.union.seek_clause(words, next),
            false => TERMINATED,
        };
        let mut target = next;
        'leapfrog: while target < limit {
            for i in 0..words {
                let doc = match named {
                    true => {
                        let scorer = &mut self.words[i].named;
                        if scorer.doc() < target {
                            scorer.seek(target);
                        }
                        scorer.doc()
                    }
                    false => self.union.seek_clause(i, target),
                };
                if doc > target {
                    target = doc;
                    continue 'leapfrog;
                }
            }
            break;
        }
        self.seek(target.min(limit));
    }
}

impl DocSet for RankedWordsScorer {
    fn advance(&mut self) -> DocId {
        self.union.advance();
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.union.seek(target);
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.union.doc
    }

    fn size_hint(&self) -> u32 {
        self.union.size_hint()
    }
}

impl Scorer for RankedWordsScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc();
        let words = self.words.len();
        let mut score = 0.0;
        let mut held = 0;
        for (i, clause) in self.union.on_doc() {
            score += clause.score();
            // The clause after the words' is the name's.
            held += usize::from(i < words);
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
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BoostQuery, ConstScoreQuery};
    use tantivy::schema::Value;
    use tantivy::schema::{Field, IndexRecordOption, Schema, TEXT};
    use tantivy::{DocAddress, Index};

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

    /// An index in memory with a text field per name, holding one record per row.
    fn index_of<const N: usize, S: AsRef<str>>(
        names: [&str; N],
        rows: impl IntoIterator<Item = [S; N]>,
    ) -> (Index, [Field; N]) {
        let mut builder = Schema::builder();
        let fields = names.map(|name| builder.add_text_field(name, TEXT));
        let index = Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for row in rows {
            let mut document = tantivy::TantivyDocument::default();
            for (field, text) in fields.iter().zip(&row) {
                document.add_text(*field, text.as_ref());
            }
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        (index, fields)
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
        let (index, [title, body, names]) = index_of(
            ["title", "body", "names"],
            [
                ["water safety", "drinking water for every village", "water"],
                ["water", "safety of the water supply, water again", ""],
                ["roads", "water and roads", "roads"],
                ["safety nets", "health safety", "nets"],
                ["nothing", "unrelated text", ""],
                ["watr", "a typo of water in the title", "watr"],
                ["safety", "watr safety", "safety"],
            ],
        );

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
                    found: None,
                },
                RankedWord {
                    lenient: word("safety"),
                    exact: None,
                    named: named("safety"),
                    found: None,
                },
            ],
            name: Some(name()),
            bonuses: Bonuses {
                every_word: Some(1000.0),
                every_word_named: Some(200.0),
                every_word_lenient: Some(500.0),
            },
            filters: Filters::default(),
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
    fn a_top_k_search_skips_records_yet_finds_the_same_page() {
        // 6,000 records: "water" in most, "safety" in some, both in titles of a few; filler
        // words vary the lengths, so scores differ.
        let rows = (0..6000u32).map(|i| {
            let filler = "village road ".repeat((i % 7) as usize);
            let title = match i % 97 {
                0 => "water safety",
                1..=20 => "water",
                _ => "report",
            };
            let body = format!(
                "{} {} {filler}",
                if i % 3 != 0 { "water" } else { "" },
                if i % 5 == 0 { "safety safety" } else { "" },
            );
            let names = if i == 1234 { "water safety" } else { "" };
            [title.to_string(), body, names.to_string()]
        });
        let (index, [title, body, names]) = index_of(["title", "body", "names"], rows);
        let searcher = index.reader().unwrap().searcher();

        let word = |text: &str| {
            any(vec![
                Box::new(Boost {
                    query: term(title, text),
                    weight: 3.0,
                }),
                term(body, text),
            ])
        };
        let named = |text: &str| {
            any(vec![Box::new(Boost {
                query: term(title, text),
                weight: 3.0,
            })])
        };
        let query = |with_name: bool, named_bonus: bool| RankedWords {
            words: ["water", "safety"]
                .into_iter()
                .map(|w| RankedWord {
                    lenient: word(w),
                    exact: None,
                    named: named(w),
                    found: None,
                })
                .collect(),
            name: with_name.then(|| {
                Box::new(ConstScoreQuery::new(term(names, "water"), 5000.0)) as Box<dyn Query>
            }),
            bonuses: Bonuses {
                every_word: Some(1000.0),
                every_word_named: named_bonus.then_some(200.0),
                every_word_lenient: None,
            },
            filters: Filters::default(),
        };
        // Without the names' bonus only "every word" can narrow what is visited.
        for (with_name, named_bonus) in [(false, true), (true, true), (false, false)] {
            let query = query(with_name, named_bonus);
            let matches = searcher.search(&query, &Count).unwrap();
            for k in [1, 10, 40, 200, 5000] {
                let top = || TopDocs::with_limit(k).order_by_score();
                // A collector that also counts makes tantivy score every match.
                let (every, _) = searcher.search(&query, &(top(), Count)).unwrap();
                let pruned = searcher.search(&query, &top()).unwrap();
                let ranked = query.top(&searcher, k).unwrap();
                assert_eq!(every.len(), k.min(matches));
                for hits in [&pruned, &ranked.top] {
                    assert_eq!(hits.len(), every.len(), "k = {k}");
                    for ((a, x), (b, y)) in every.iter().zip(hits.iter()) {
                        assert_eq!((x, a), (y, b), "k = {k}");
                    }
                }
                match ranked.matches {
                    Some(n) => assert_eq!(n, matches),
                    None => assert!(k < matches, "nothing to skip for k = {k}"),
                }
                if k == 10 {
                    assert_eq!(ranked.matches, None, "a page of 10 skips records");
                }
            }
            assert_eq!(query.top(&searcher, 5000).unwrap().matches, Some(matches));
            let weight = query
                .ranked_weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            let mut best = Best::new(10);
            // `visit` hands every record it scores to its callback.
            let mut scored = 0;
            let skipped = weight
                .ranked_scorer(searcher.segment_reader(0), 1.0)
                .unwrap()
                .visit(&mut |doc, score| {
                    scored += 1;
                    best.offer(score, doc);
                    best.threshold()
                });
            assert!(skipped);
            assert!(
                scored * 4 < matches,
                "{scored} of {matches} matches scored for a page of 10"
            );
            let heap: Vec<Score> = best.into_vec().into_iter().map(|(s, _)| s).collect();
            if with_name {
                assert!(
                    heap.iter().any(|s| *s > 5000.0),
                    "the named record is on the page: {heap:?}"
                );
            }
        }
    }

    #[test]
    fn filters_narrow_the_matches_and_never_score() {
        let rows = (0..2000u32).map(|i| {
            let body = format!(
                "{} {} {}",
                "water ".repeat((i % 4) as usize),
                if i % 3 == 0 { "safety" } else { "roads" },
                if i % 7 == 0 { "village" } else { "" },
            );
            let kind = if i % 2 == 0 { "case" } else { "measure" };
            [body, kind.to_string()]
        });
        let (index, [body, kind]) = index_of(["body", "kind"], rows);
        let searcher = index.reader().unwrap().searcher();
        let query = |filters: Filters<Box<dyn Query>>| RankedWords {
            words: ["water", "safety"]
                .into_iter()
                .map(|w| RankedWord {
                    lenient: term(body, w),
                    exact: None,
                    named: Box::new(EmptyQuery),
                    found: None,
                })
                .collect(),
            name: None,
            bonuses: Bonuses {
                every_word: Some(1000.0),
                every_word_named: None,
                every_word_lenient: None,
            },
            filters,
        };
        let plain = query(Filters::default());
        let filtered = query(Filters {
            required: vec![term(kind, "case")],
            excluded: vec![term(body, "village")],
        });
        let expected = BooleanQuery::new(vec![
            (Occur::Must, Box::new(plain.clone()) as Box<dyn Query>),
            (Occur::Must, term(kind, "case")),
            (Occur::MustNot, term(body, "village")),
        ]);
        let matches = searcher.search(&expected, &Count).unwrap();
        assert!(matches > 100 && matches < searcher.search(&plain, &Count).unwrap());
        assert_eq!(searcher.search(&filtered, &Count).unwrap(), matches);

        let all = plain.top(&searcher, 2000).unwrap().top;
        for k in [10, 2000] {
            let ranked = filtered.top(&searcher, k).unwrap();
            assert_eq!(ranked.top.len(), k.min(matches));
            // The best of the plain search that pass, with the same scores.
            let passing: Vec<_> = all
                .iter()
                .filter(|(_, address)| {
                    let doc = searcher.doc::<tantivy::TantivyDocument>(*address).unwrap();
                    let text = |field| {
                        doc.get_first(field)
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_string()
                    };
                    text(kind) == "case" && !text(body).contains("village")
                })
                .take(k)
                .collect();
            for ((a, x), (b, y)) in passing.iter().zip(&ranked.top) {
                assert_eq!((a, x), (b, y));
            }
            // 2,000 records are scored whole, so the ranking pass counted them.
            assert_eq!(ranked.matches, Some(matches));
        }
    }

    #[test]
    fn a_union_scores_and_counts_as_a_boolean_union_does() {
        let rows = (0..500u32).map(|i| {
            let title = if i % 4 == 0 { "water" } else { "roads" };
            let body = "water ".repeat((i % 3) as usize) + &"safety ".repeat((i % 5) as usize);
            [title.to_string(), body]
        });
        let (index, [title, body]) = index_of(["title", "body"], rows);
        let clauses = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(BoostQuery::new(term(title, "water"), 3.0)),
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, term(body, "water")),
                    (Occur::Must, term(body, "safety")),
                ])),
                term(body, "nowhere"),
            ]
        };
        let boolean = any(clauses());
        let union = Union(clauses());
        let (expected, got) = (ranked(&index, boolean.as_ref()), ranked(&index, &union));
        assert_eq!(expected.len(), 100, "100 of the matches, best first");
        for ((a, x), (b, y)) in expected.iter().zip(&got) {
            assert_eq!(a, b);
            assert!((x - y).abs() < 1e-4, "{x} vs {y}");
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(
            searcher.search(&union, &Count).unwrap(),
            searcher.search(boolean.as_ref(), &Count).unwrap()
        );
    }

    #[test]
    fn a_bound_is_above_every_score() {
        let (index, [title, body]) = index_of(
            ["title", "body"],
            [
                ["water", "water water water water water"],
                ["water safety", "short"],
                [
                    "other",
                    "a much longer text that mentions water once among many words",
                ],
            ],
        );
        let searcher = index.reader().unwrap().searcher();
        let phrase: Box<dyn Query> = Box::new(PhraseQuery::new(vec![
            Term::from_field_text(title, "water"),
            Term::from_field_text(title, "safety"),
        ]));
        let query: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(Boost {
                    query: term(title, "water"),
                    weight: 3.0,
                }),
            ),
            (Occur::Should, term(body, "water")),
            (Occur::Should, phrase),
            (Occur::MustNot, term(body, "nothing")),
        ]));
        let bound = upper_bound(query.as_ref(), &searcher).unwrap().unwrap();
        let best = ranked(&index, query.as_ref())[0].1;
        assert!(best <= bound && best > 0.0, "{best} > {bound}");
        let unknown = ConstScoreQuery::new(term(title, "water"), 1.0);
        assert_eq!(upper_bound(&unknown, &searcher).unwrap(), None);
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
                found: None,
            }],
            name: Some(term(field, "d")),
            bonuses: Bonuses {
                every_word: None,
                every_word_named: None,
                every_word_lenient: None,
            },
            filters: Filters::default(),
        };
        let mut terms = Vec::new();
        words
            .clone()
            .query_terms(&mut |term, _| terms.push(term.value().as_str().unwrap().to_string()));
        assert_eq!(terms, ["a", "b", "c", "d"]);
    }
}
