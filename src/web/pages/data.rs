//! The shapes of the data the pages' documents ask for, and the views they share.

use serde::Deserialize;

use super::super::i18n::Lang;
use super::super::page::Link;
use crate::domain::EntryKind;

/// A text in both languages, as the API gives it.
#[derive(Deserialize, Clone, Debug, Default)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn of(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh.clone(),
            Lang::En => self.en.clone(),
        }
    }
}

/// Any record by slug and its display name (`name`, `title` or `label` in the API).
#[derive(Deserialize, Clone, Debug)]
pub struct Named {
    pub slug: String,
    #[serde(alias = "title", alias = "label")]
    pub name: Text,
}

#[derive(Deserialize, Debug)]
pub struct Connection<T> {
    pub edges: Vec<Edge<T>>,
}

#[derive(Deserialize, Debug)]
pub struct Edge<T> {
    pub node: T,
}

impl<T> Connection<T> {
    pub fn nodes(self) -> impl Iterator<Item = T> {
        self.edges.into_iter().map(|edge| edge.node)
    }
}

/// A survey figure behind a cause or a recommendation.
#[derive(Deserialize, Clone, Debug)]
pub struct Figure {
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub label: Option<Text>,
    pub value: f64,
    #[serde(default)]
    pub qualifier: Qualifier,
    pub unit: Text,
    pub respondent: Option<String>,
}

/// How a value relates to the quantity the source gives (`MORE_THAN` for 2万余户): a page
/// never shows an approximate figure as an exact one.
#[derive(Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Qualifier {
    #[default]
    Exact,
    About,
    MoreThan,
    LessThan,
    AtMost,
    AtLeast,
}

impl Qualifier {
    /// The words put before the number, if any.
    fn words(self, lang: Lang) -> Option<String> {
        let key = match self {
            Qualifier::Exact => return None,
            Qualifier::About => "qualifier.about",
            Qualifier::MoreThan => "qualifier.more_than",
            Qualifier::LessThan => "qualifier.less_than",
            Qualifier::AtMost => "qualifier.at_most",
            Qualifier::AtLeast => "qualifier.at_least",
        };
        Some(lang.messages().get(key))
    }
}

#[derive(Deserialize, Clone, Debug)]
pub struct Citation {
    pub section: Text,
    pub excerpt: Text,
    pub figure: Option<i32>,
    #[serde(default)]
    pub source: Option<SourceRef>,
}

/// The document a citation comes from.
#[derive(Deserialize, Clone, Debug)]
pub struct SourceRef {
    pub title: Text,
    pub authors: Text,
    pub year: Option<i32>,
}

/// The kinds of record pages, by their path segment (planners' words: a strategy is a prong,
/// a dimension a kind of poverty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    Case,
    Measure,
    Cause,
    Prong,
    Poverty,
    Region,
    Statistic,
}

impl PageKind {
    pub fn parse(segment: &str) -> Option<PageKind> {
        Some(match segment {
            "case" => PageKind::Case,
            "measure" => PageKind::Measure,
            "cause" => PageKind::Cause,
            "prong" => PageKind::Prong,
            "poverty" => PageKind::Poverty,
            "region" => PageKind::Region,
            "statistic" => PageKind::Statistic,
            _ => return None,
        })
    }

    /// The page kind of an API `EntryKind` (`CASE`) or a search facet value (`case`); none
    /// for glossary terms, which are listed on one page.
    pub fn of_entry(kind: &str) -> Option<PageKind> {
        Some(match EntryKind::parse(&kind.to_ascii_lowercase()).ok()? {
            EntryKind::Case => PageKind::Case,
            EntryKind::Measure => PageKind::Measure,
            EntryKind::Cause => PageKind::Cause,
            EntryKind::Strategy => PageKind::Prong,
            EntryKind::Dimension => PageKind::Poverty,
            EntryKind::Region => PageKind::Region,
            EntryKind::Statistic => PageKind::Statistic,
            EntryKind::Glossary => return None,
        })
    }

    /// Where a search hit of an API kind (`CASE`, `glossary`) is shown, and the message key of
    /// its kind's name: the record's own page, or a glossary term's entry on the glossary page.
    pub fn place_of_hit(lang: Lang, kind: &str, slug: &str) -> Option<(String, String)> {
        match PageKind::of_entry(kind) {
            Some(page) => {
                let href = format!("/{}/{}/{slug}", lang.code(), page.segment());
                Some((href, page.message()))
            }
            None => is_glossary(kind).then(|| {
                let href = format!("/{}/glossary#{slug}", lang.code());
                (href, GLOSSARY_MESSAGE.to_string())
            }),
        }
    }

    /// The message key of the name of an API kind or a search facet value (`glossary` too).
    pub fn message_of_entry(kind: &str) -> Option<String> {
        match PageKind::of_entry(kind) {
            Some(page) => Some(page.message()),
            None => is_glossary(kind).then(|| GLOSSARY_MESSAGE.to_string()),
        }
    }

    pub fn segment(self) -> &'static str {
        match self {
            PageKind::Case => "case",
            PageKind::Measure => "measure",
            PageKind::Cause => "cause",
            PageKind::Prong => "prong",
            PageKind::Poverty => "poverty",
            PageKind::Region => "region",
            PageKind::Statistic => "statistic",
        }
    }

    /// The message key of the kind's name.
    pub fn message(self) -> String {
        format!("kind.{}", self.segment())
    }
}

/// The message key of a glossary term's kind (terms have no page kind: one page lists them).
const GLOSSARY_MESSAGE: &str = "kind.glossary";

fn is_glossary(kind: &str) -> bool {
    matches!(
        EntryKind::parse(&kind.to_ascii_lowercase()),
        Ok(EntryKind::Glossary)
    )
}

/// A link to a record page.
pub fn record_link(lang: Lang, kind: PageKind, named: &Named) -> Link {
    titled_link(lang, kind, &named.slug, &named.name)
}

/// The link to a record from its slug and its title (or name).
pub fn titled_link(lang: Lang, kind: PageKind, slug: &str, title: &Text) -> Link {
    Link::new(
        format!("/{}/{}/{}", lang.code(), kind.segment(), slug),
        title.of(lang),
    )
}

/// A figure as a bar: "58.7%" of a 0..100 scale, who answered.
#[derive(Clone, Debug)]
pub struct Bar {
    pub href: String,
    pub label: String,
    pub value: String,
    /// Width in percent of the track (0 to 100).
    pub width: u32,
    pub who: String,
}

pub fn bar(lang: Lang, figure: &Figure) -> Bar {
    let percent = figure.unit.zh.trim() == "%";
    Bar {
        href: format!("/{}/statistic/{}", lang.code(), figure.slug),
        label: figure
            .label
            .as_ref()
            .map(|l| l.of(lang))
            .unwrap_or_default(),
        value: format_value(lang, figure.value, figure.qualifier, &figure.unit),
        width: if percent {
            figure.value.clamp(0.0, 100.0).round() as u32
        } else {
            0
        },
        who: respondent(lang, figure.respondent.as_deref()),
    }
}

/// `58.7%`, `1634 questionnaires` or `more than 10000 people`: the unit as the source writes
/// it, and the qualifier when the number is not exact.
pub fn format_value(lang: Lang, value: f64, qualifier: Qualifier, unit: &Text) -> String {
    let number = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    };
    let unit_text = unit.of(lang);
    let quantity = if unit.zh.trim() == "%" {
        format!("{number}%")
    } else {
        format!("{number} {unit_text}")
    };
    match qualifier.words(lang) {
        Some(words) => format!("{words} {quantity}"),
        None => quantity,
    }
}

/// Who answered, in words.
pub fn respondent(lang: Lang, respondent: Option<&str>) -> String {
    match respondent {
        Some("HELPERS") => lang.messages().get("survey.helpers"),
        Some("POOR_HOUSEHOLDS") => lang.messages().get("survey.poor_households"),
        _ => String::new(),
    }
}

/// The survey share of a cause: its largest percentage, and who gave it.
pub fn share(lang: Lang, figures: &[Figure]) -> Option<String> {
    figures
        .iter()
        .filter(|f| f.unit.zh.trim() == "%")
        .max_by(|a, b| a.value.total_cmp(&b.value))
        .map(|f| {
            let who = respondent(lang, f.respondent.as_deref());
            if who.is_empty() {
                format_value(lang, f.value, f.qualifier, &f.unit)
            } else {
                let value = format_value(lang, f.value, f.qualifier, &f.unit);
                format!("{value} · {who}")
            }
        })
}

/// A citation as the pages show it: the section, the verbatim excerpt (Chinese), and in
/// English its rendering.
#[derive(Clone, Debug)]
pub struct Cited {
    pub section: String,
    pub excerpt: String,
    /// The verbatim Chinese beside an English rendering.
    pub original: Option<String>,
    pub figure: Option<String>,
}

pub fn cited(lang: Lang, citation: &Citation) -> Cited {
    Cited {
        section: citation.section.of(lang),
        excerpt: citation.excerpt.of(lang),
        original: (lang == Lang::En).then(|| citation.excerpt.zh.clone()),
        figure: citation.figure.map(|n| {
            lang.messages()
                .get("survey.figure_n")
                .replace("{n}", &n.to_string())
        }),
    }
}

/// A step of a path (cause -> kind of poverty -> prong -> measure -> case) as a chip.
#[derive(Clone, Debug)]
pub struct Chip {
    pub href: String,
    pub label: String,
    /// The kind's name, for the chip's title and screen readers.
    pub kind: String,
    pub class: &'static str,
}

pub fn chip(lang: Lang, kind: PageKind, named: &Named) -> Chip {
    Chip {
        href: format!("/{}/{}/{}", lang.code(), kind.segment(), named.slug),
        label: named.name.of(lang),
        kind: lang.messages().get(&kind.message()),
        class: kind.segment(),
    }
}

/// A region option of a picker.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Deserialize, Debug)]
pub struct RegionRow {
    pub slug: String,
    pub name: Text,
    pub level: String,
}

/// The region picker: districts first, then the rest, each named with its level.
pub fn region_choices(lang: Lang, regions: Vec<RegionRow>, selected: Option<&str>) -> Vec<Choice> {
    let messages = lang.messages();
    regions
        .into_iter()
        .map(|r| {
            let level = messages.get(&format!("level.{}", r.level));
            Choice {
                selected: Some(r.slug.as_str()) == selected,
                label: format!("{} ({level})", r.name.of(lang)),
                value: r.slug,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_the_sources_precision_and_unit() {
        let percent = Text {
            zh: "%".into(),
            en: "% of respondents".into(),
        };
        let exact = Qualifier::Exact;
        assert_eq!(format_value(Lang::En, 58.7, exact, &percent), "58.7%");
        let count = Text {
            zh: "份".into(),
            en: "questionnaires".into(),
        };
        assert_eq!(
            format_value(Lang::En, 1634.0, exact, &count),
            "1634 questionnaires"
        );
    }

    #[test]
    fn an_approximate_value_says_so() {
        let people = Text {
            zh: "人".into(),
            en: "people".into(),
        };
        let more = Qualifier::MoreThan;
        assert_eq!(
            format_value(Lang::En, 10000.0, more, &people),
            "more than 10000 people"
        );
        assert_eq!(
            format_value(Lang::Zh, 10000.0, more, &people),
            "超过 10000 人"
        );
        let about = format_value(Lang::Zh, 1.0, Qualifier::About, &people);
        assert_eq!(about, "约 1 人");
    }

    #[test]
    fn every_kind_has_a_path_segment_that_reads_back() {
        for segment in [
            "case",
            "measure",
            "cause",
            "prong",
            "poverty",
            "region",
            "statistic",
        ] {
            assert_eq!(PageKind::parse(segment).unwrap().segment(), segment);
        }
        assert_eq!(PageKind::of_entry("STRATEGY"), Some(PageKind::Prong));
        assert_eq!(PageKind::of_entry("dimension"), Some(PageKind::Poverty));
    }
}
