//! The hand-editable file format of the knowledge base (`data/kb/*.yaml`, described in
//! `data/kb/README.md` and `data/kb/schema.json`). One file per type; each is a list of entries.
//! References between entries are by slug.

use serde::Deserialize;

/// A text in both languages.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

/// A reference to another entry, optionally with the reason for the link.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Link {
    Slug(String),
    Explained { slug: String, rationale: Text },
}

impl Link {
    pub fn slug(&self) -> &str {
        match self {
            Link::Slug(slug) | Link::Explained { slug, .. } => slug,
        }
    }

    pub fn rationale(&self) -> Option<&Text> {
        match self {
            Link::Slug(_) => None,
            Link::Explained { rationale, .. } => Some(rationale),
        }
    }
}

/// The passage of a source that supports an entry.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CitationEntry {
    /// The source's slug; may be left out while the knowledge base has exactly one source.
    pub source: Option<String>,
    pub section: Text,
    pub figure: Option<i32>,
    /// `zh` is verbatim from the source (at most 200 characters); `en` renders it in English.
    pub excerpt: Text,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub slug: String,
    pub title: Text,
    pub authors: Text,
    pub institution: Text,
    pub year: Option<i32>,
    pub citation: Text,
    pub summary: Option<Text>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegionEntry {
    pub slug: String,
    pub parent: Option<String>,
    pub level: String,
    pub name: Text,
    pub zone: Option<Text>,
    pub summary: Option<Text>,
    #[serde(default)]
    pub indicators: Vec<IndicatorEntry>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IndicatorEntry {
    pub slug: String,
    pub name: Text,
    pub value: f64,
    pub unit: Text,
    pub year: Option<i32>,
    pub note: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DimensionEntry {
    pub slug: String,
    pub name: Text,
    pub summary: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CauseEntry {
    pub slug: String,
    /// The group this factor belongs to; none for a group.
    pub parent: Option<String>,
    pub name: Text,
    pub summary: Option<Text>,
    #[serde(default)]
    pub dimensions: Vec<Link>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StrategyEntry {
    pub slug: String,
    pub position: i32,
    pub dimension: Option<String>,
    pub name: Text,
    pub aim: Text,
    pub summary: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MeasureEntry {
    pub slug: String,
    pub strategy: String,
    pub title: Text,
    pub summary: Option<Text>,
    #[serde(default)]
    pub causes: Vec<Link>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CaseEntry {
    pub slug: String,
    pub region: Option<String>,
    pub year: Option<i32>,
    pub title: Text,
    pub summary: Option<Text>,
    pub actions: Option<Text>,
    pub outcomes: Option<Text>,
    #[serde(default)]
    pub measures: Vec<Link>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StatisticEntry {
    pub slug: String,
    pub figure: Option<i32>,
    pub series: Option<Text>,
    pub label: Text,
    pub value: f64,
    pub unit: Text,
    /// `helpers` or `poor-households`.
    pub respondent: Option<String>,
    pub sample: Option<i32>,
    pub cause: Option<String>,
    pub dimension: Option<String>,
    pub region: Option<String>,
    pub citations: Vec<CitationEntry>,
}

/// Every entry of a knowledge base, as read from its files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KnowledgeBase {
    pub sources: Vec<SourceEntry>,
    pub regions: Vec<RegionEntry>,
    pub dimensions: Vec<DimensionEntry>,
    pub causes: Vec<CauseEntry>,
    pub strategies: Vec<StrategyEntry>,
    pub measures: Vec<MeasureEntry>,
    pub cases: Vec<CaseEntry>,
    pub statistics: Vec<StatisticEntry>,
}
