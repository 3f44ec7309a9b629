//! The hand-editable file format of the knowledge base (`data/kb/*.yaml`, described in
//! `data/kb/README.md` and `data/kb/schema.json`). One file per type; each is a list of entries.
//! References between entries are by slug.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A text in both languages.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

/// The words planners use for an entry besides its name: colloquial and official Chinese,
/// English synonyms and abbreviations. Search and recommendations read them like the name.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Aliases {
    /// Each 1 to 60 characters, no duplicates (after normalisation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zh: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub en: Vec<String>,
}

impl Aliases {
    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }
}

/// A reference to another entry, optionally with the reason for the link.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
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
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationEntry {
    /// The source's slug; may be left out while the knowledge base has exactly one source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub section: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figure: Option<i32>,
    /// `zh` is verbatim from the source (at most 200 characters); `en` renders it in English.
    pub excerpt: Text,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub slug: String,
    pub title: Text,
    pub authors: Text,
    pub institution: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    pub citation: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyEntry>,
}

/// How a source's evidence was gathered.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyEntry {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, `YYYY-MM-DD`.
    pub end: String,
    pub sampling: Text,
    pub questionnaires_issued: i32,
    pub questionnaires_returned: i32,
    pub questionnaires_valid: i32,
    /// Valid questionnaires as a percentage of those issued, as the source states it.
    pub valid_rate: f64,
}

/// A Chinese policy term and how the English texts render it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    pub slug: String,
    pub term: String,
    #[serde(default, skip_serializing_if = "Aliases::is_empty")]
    pub aliases: Aliases,
    pub pinyin: String,
    pub english: String,
    pub explanation: Text,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionEntry {
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub level: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<IndicatorEntry>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorEntry {
    pub slug: String,
    pub name: Text,
    pub value: f64,
    pub unit: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DimensionEntry {
    pub slug: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Aliases::is_empty")]
    pub aliases: Aliases,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CauseEntry {
    pub slug: String,
    /// The group this factor belongs to; none for a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Aliases::is_empty")]
    pub aliases: Aliases,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Link>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyEntry {
    pub slug: String,
    pub position: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Aliases::is_empty")]
    pub aliases: Aliases,
    pub aim: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureEntry {
    pub slug: String,
    pub strategy: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Aliases::is_empty")]
    pub aliases: Aliases,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<Link>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseEntry {
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<Link>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatisticEntry {
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figure: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<Text>,
    pub label: Text,
    pub value: f64,
    pub unit: Text,
    /// `helpers` or `poor-households`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
    pub glossary: Vec<GlossaryEntry>,
}
