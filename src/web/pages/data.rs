//! The shapes of the data the pages' documents ask for, and the views they share.

use serde::Deserialize;

use super::super::i18n::Lang;
use super::super::page::Link;

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
    pub unit: Text,
    pub respondent: Option<String>,
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

/// The kinds of record pages, by their path segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Case,
    Measure,
    Cause,
    Prong,
    Poverty,
    Region,
    Statistic,
}

impl RecordKind {
    pub fn parse(segment: &str) -> Option<RecordKind> {
        Some(match segment {
            "case" => RecordKind::Case,
            "measure" => RecordKind::Measure,
            "cause" => RecordKind::Cause,
            "prong" => RecordKind::Prong,
            "poverty" => RecordKind::Poverty,
            "region" => RecordKind::Region,
            "statistic" => RecordKind::Statistic,
            _ => return None,
        })
    }

    /// The kind of an API `EntryKind` (`CASE`) or a search facet value (`case`).
    pub fn of_entry(kind: &str) -> Option<RecordKind> {
        Some(match kind.to_ascii_lowercase().as_str() {
            "case" => RecordKind::Case,
            "measure" => RecordKind::Measure,
            "cause" => RecordKind::Cause,
            "strategy" => RecordKind::Prong,
            "dimension" => RecordKind::Poverty,
            "region" => RecordKind::Region,
            "statistic" => RecordKind::Statistic,
            _ => return None,
        })
    }

    pub fn segment(self) -> &'static str {
        match self {
            RecordKind::Case => "case",
            RecordKind::Measure => "measure",
            RecordKind::Cause => "cause",
            RecordKind::Prong => "prong",
            RecordKind::Poverty => "poverty",
            RecordKind::Region => "region",
            RecordKind::Statistic => "statistic",
        }
    }

    /// The message key of the kind's name.
    pub fn message(self) -> String {
        format!("kind.{}", self.segment())
    }
}

/// A link to a record page.
pub fn record_link(lang: Lang, kind: RecordKind, named: &Named) -> Link {
    Link::new(
        format!("/{}/{}/{}", lang.code(), kind.segment(), named.slug),
        named.name.of(lang),
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
        value: format_value(lang, figure.value, &figure.unit),
        width: if percent {
            figure.value.clamp(0.0, 100.0).round() as u32
        } else {
            0
        },
        who: respondent(lang, figure.respondent.as_deref()),
    }
}

/// `58.7%` or `1,634 questionnaires`: the unit as the source writes it.
pub fn format_value(lang: Lang, value: f64, unit: &Text) -> String {
    let number = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    };
    let unit_text = unit.of(lang);
    if unit.zh.trim() == "%" {
        format!("{number}%")
    } else {
        format!("{number} {unit_text}")
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
                format_value(lang, f.value, &f.unit)
            } else {
                format!("{} · {who}", format_value(lang, f.value, &f.unit))
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

pub fn chip(lang: Lang, kind: RecordKind, named: &Named) -> Chip {
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
        assert_eq!(format_value(Lang::En, 58.7, &percent), "58.7%");
        let count = Text {
            zh: "份".into(),
            en: "questionnaires".into(),
        };
        assert_eq!(
            format_value(Lang::En, 1634.0, &count),
            "1634 questionnaires"
        );
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
            assert_eq!(RecordKind::parse(segment).unwrap().segment(), segment);
        }
        assert_eq!(RecordKind::of_entry("STRATEGY"), Some(RecordKind::Prong));
        assert_eq!(RecordKind::of_entry("dimension"), Some(RecordKind::Poverty));
    }
}
