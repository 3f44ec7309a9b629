//! A generated corpus for benchmarks: any number of bilingual cases made by recombining the
//! sentences of the bundled knowledge base, deterministically. Not for real use.

use super::format::{CaseEntry, CitationEntry, KnowledgeBase, Link, Text};

/// A small, fast, deterministic generator (xorshift); benchmarks must be repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// `count` cases over the bundled regions and measures, with texts drawn from the bundled cases.
pub fn cases(bundled: &KnowledgeBase, count: usize) -> KnowledgeBase {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let texts: Vec<&Text> = bundled
        .cases
        .iter()
        .flat_map(|c| {
            [
                Some(&c.title),
                c.summary.as_ref(),
                c.actions.as_ref(),
                c.outcomes.as_ref(),
            ]
        })
        .flatten()
        .collect();
    let regions: Vec<&str> = bundled.regions.iter().map(|r| r.slug.as_str()).collect();
    let measures: Vec<&str> = bundled.measures.iter().map(|m| m.slug.as_str()).collect();
    let excerpts: Vec<&CitationEntry> = bundled.cases.iter().flat_map(|c| &c.citations).collect();
    let cases = (0..count)
        .map(|n| {
            let (a, b, c) = (rng.pick(&texts), rng.pick(&texts), rng.pick(&texts));
            let first = rng.pick(&measures).to_string();
            let second = rng.pick(&measures).to_string();
            let mut links = vec![Link::Slug(first.clone())];
            if second != first {
                links.push(Link::Slug(second));
            }
            CaseEntry {
                slug: format!("synthetic-case-{n}"),
                region: Some(rng.pick(&regions).to_string()),
                year: Some(2015 + (rng.next() % 6) as i32),
                title: Text {
                    zh: format!("案例{n}：{}", a.zh.chars().take(24).collect::<String>()),
                    en: format!(
                        "Case {n}: {}",
                        a.en.split_whitespace()
                            .take(10)
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                },
                summary: Some((*b).clone()),
                actions: Some((*c).clone()),
                outcomes: None,
                actors: Vec::new(),
                outside: None,
                measures: links,
                citations: vec![(*rng.pick(&excerpts)).clone()],
            }
        })
        .collect();
    KnowledgeBase {
        cases,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_deterministic_and_bilingual() {
        let bundled = KnowledgeBase::bundled().unwrap();
        let (a, b) = (cases(&bundled, 50), cases(&bundled, 50));
        assert_eq!(a, b);
        assert_eq!(a.cases.len(), 50);
        assert!(a
            .cases
            .iter()
            .all(|c| !c.title.zh.is_empty() && !c.title.en.is_empty() && !c.measures.is_empty()));
    }
}
