//! The hand-editable file format of the knowledge base (`data/kb/*.yaml`, described in
//! `data/kb/README.md` and `data/kb/schema.json`). One file per type; each is a list of entries.
//! References between entries are by slug.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::Lang;

pub use entities::actors::ActorKind;
pub use entities::qualifier::Qualifier;

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

    pub fn of(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Adds an alias read back from its row (`aliases.lang` holds a language's code).
    pub fn push(&mut self, lang: &str, text: String) {
        match Lang::parse(lang) {
            Some(Lang::Zh) => self.zh.push(text),
            Some(Lang::En) => self.en.push(text),
            // Rows are written by `aliases::write` only, with a language's code.
            None => {}
        }
    }
}

/// A reference to another entry, with how the source supports it: a bare slug (stated by the
/// entry's citations as a whole), or a [`LinkDetail`] naming the citation that states it or the
/// rationale of a link the source only implies.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Link {
    Slug(String),
    Detailed(LinkDetail),
}

/// A link with its provenance: exactly one of `citation` (stated) and `rationale` (inferred).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkDetail {
    pub slug: String,
    /// The position (from 0) of the entry's citation that states the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<i32>,
    /// Why the link holds, when the source implies it without saying so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<Text>,
}

impl Link {
    pub fn inferred(slug: String, rationale: Text) -> Link {
        Link::Detailed(LinkDetail {
            slug,
            citation: None,
            rationale: Some(rationale),
        })
    }

    pub fn stated(slug: String, citation: i32) -> Link {
        Link::Detailed(LinkDetail {
            slug,
            citation: Some(citation),
            rationale: None,
        })
    }

    pub fn slug(&self) -> &str {
        match self {
            Link::Slug(slug) | Link::Detailed(LinkDetail { slug, .. }) => slug,
        }
    }

    pub fn rationale(&self) -> Option<&Text> {
        match self {
            Link::Slug(_) => None,
            Link::Detailed(detail) => detail.rationale.as_ref(),
        }
    }

    pub fn citation(&self) -> Option<i32> {
        match self {
            Link::Slug(_) => None,
            Link::Detailed(detail) => detail.citation,
        }
    }

    /// The link as stored: its target's slug, rationale and stating citation.
    pub fn with_provenance(slug: String, rationale: Option<Text>, citation: Option<i32>) -> Link {
        if rationale.is_none() && citation.is_none() {
            Link::Slug(slug)
        } else {
            Link::Detailed(LinkDetail {
                slug,
                citation,
                rationale,
            })
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
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
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
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorEntry {
    pub slug: String,
    pub name: Text,
    pub value: f64,
    /// How the value relates to the quantity (`more-than` for 2万余); `exact` when left out.
    #[serde(default, skip_serializing_if = "Qualifier::is_exact")]
    pub qualifier: Qualifier,
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
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
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
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
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
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
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
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
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
    /// The people and organisations the case names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<ActorEntry>,
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
    pub citations: Vec<CitationEntry>,
}

/// A person or organisation a case names (a cadre, a villager, a company, an association),
/// cited by its case.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorEntry {
    pub slug: String,
    /// `person`, `company` or `organisation`.
    pub kind: ActorKind,
    /// As the source names it (`zh`) and its English rendering.
    pub name: Text,
    /// What the actor is or did in the case, as the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Text>,
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
    /// How the value relates to the quantity; `exact` when left out.
    #[serde(default, skip_serializing_if = "Qualifier::is_exact")]
    pub qualifier: Qualifier,
    pub unit: Text,
    /// `helpers` or `poor-households`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respondent: Option<String>,
    /// The question asked, as the source reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Text>,
    /// Whether a respondent could give several answers (the shares then add up to more than
    /// 100%); left out when the source does not tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple_answers: Option<bool>,
    /// Who the value is a share of, when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Text>,
    /// The number of respondents behind the value, when the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<i32>,
    /// The cause the value is evidence for, with the link's provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Link>,
    /// The dimension the value is evidence for, with the link's provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Link>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What the entry says that the source does not, and where that comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside: Option<Text>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_their_provenance_through_the_file_format() {
        let yaml = "- industry-planning\n- {slug: modern-agriculture, citation: 1}\n- {slug: rural-infrastructure, rationale: {zh: 因, en: why}}\n";
        let links: Vec<Link> = serde_yaml_ng::from_str(yaml).unwrap();
        assert_eq!(links[0], Link::Slug("industry-planning".into()));
        assert_eq!(links[1].citation(), Some(1));
        assert_eq!(links[2].rationale().map(|t| t.en.as_str()), Some("why"));
        let again: Vec<Link> =
            serde_yaml_ng::from_str(&serde_yaml_ng::to_string(&links).unwrap()).unwrap();
        assert_eq!(again, links);
        // A detailed link names its provenance and nothing else.
        assert!(serde_yaml_ng::from_str::<Vec<Link>>("- {slug: a, sure: yes}\n").is_err());
    }

    #[test]
    fn numbers_are_exact_unless_the_file_qualifies_them() {
        let indicator: IndicatorEntry = serde_yaml_ng::from_str(
            "{slug: a, name: {zh: 甲, en: A}, value: 20000, qualifier: more-than, unit: {zh: 户, en: households}, citations: []}",
        )
        .unwrap();
        assert_eq!(indicator.qualifier, Qualifier::MoreThan);
        let written = serde_yaml_ng::to_string(&IndicatorEntry {
            qualifier: Qualifier::Exact,
            ..indicator
        })
        .unwrap();
        assert!(
            !written.contains("qualifier"),
            "exact is the default: {written}"
        );
    }
}
