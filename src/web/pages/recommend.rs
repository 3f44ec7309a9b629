//! Recommend: a situation (free text and/or causes picked from the cause tree, and a region)
//! to ranked measures, each with its paths, survey evidence, rationale and citations, and a
//! GET form that adds it to the plan. When nothing is understood it says so and never guesses.

use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::data::{
    bar, chip, cited, region_choices, share, Bar, Chip, Choice, Citation, Cited, Connection,
    Figure, Named, PageKind, RegionRow, Text,
};
use super::{document, html, Chrome, Ctx, Link, PageResult};
use crate::web::i18n::Lang;

#[derive(Template)]
#[template(path = "recommend.html")]
struct RecommendPage {
    c: Chrome,
    text: String,
    asked: bool,
    groups: Vec<CauseGroup>,
    regions: Vec<Choice>,
    understood: Vec<Understood>,
    items: Vec<RecommendationView>,
    /// The plan so far (the `m` of this URL), carried by every form.
    plan: Vec<String>,
    plan_href: Option<String>,
    problem: String,
    region: String,
    /// The picker is open before a question, when nothing was understood, or when causes
    /// were picked (to show them).
    picker_open: bool,
}

pub struct CauseGroup {
    pub option: CauseOption,
    pub children: Vec<CauseOption>,
}

pub struct CauseOption {
    pub slug: String,
    pub label: String,
    pub share: Option<String>,
    pub checked: bool,
}

struct Understood {
    cause: Link,
    terms: String,
}

struct RecommendationView {
    rank: usize,
    slug: String,
    href: String,
    title: String,
    summary: String,
    prong: Link,
    paths: Vec<Vec<Chip>>,
    evidence: Vec<Bar>,
    rationale: String,
    citations: Vec<Cited>,
    cases: Vec<Link>,
    in_plan: bool,
}

#[derive(Deserialize)]
struct PickerData {
    causes: Connection<PickerCause>,
    regions: Connection<RegionRow>,
}

#[derive(Deserialize)]
struct PickerCause {
    slug: String,
    name: Text,
    statistics: Vec<Figure>,
    #[serde(default)]
    children: Vec<PickerCause>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecommendData {
    recommend: Recommendations,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recommendations {
    matched_causes: Vec<CauseMatch>,
    items: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CauseMatch {
    cause: Named,
    matched_terms: Vec<String>,
}

#[derive(Deserialize)]
struct Item {
    measure: MeasureData,
    strategy: Named,
    paths: Vec<PathData>,
    cases: Vec<Named>,
    evidence: Vec<Figure>,
    rationale: Text,
}

#[derive(Deserialize)]
struct MeasureData {
    slug: String,
    title: Text,
    summary: Option<Text>,
    citations: Vec<Citation>,
}

#[derive(Deserialize)]
struct PathData {
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    kind: String,
    slug: String,
    title: Text,
}

/// The cause tree of the picker, with the survey's shares and the causes already picked.
fn cause_groups(lang: Lang, causes: Vec<PickerCause>, picked: &[&str]) -> Vec<CauseGroup> {
    let option = |cause: &PickerCause| CauseOption {
        slug: cause.slug.clone(),
        label: cause.name.of(lang),
        share: share(lang, &cause.statistics),
        checked: picked.contains(&cause.slug.as_str()),
    };
    causes
        .iter()
        .map(|group| CauseGroup {
            option: option(group),
            children: group.children.iter().map(option).collect(),
        })
        .collect()
}

pub async fn recommend(mut ctx: Ctx) -> PageResult {
    let lang = ctx.lang;
    let text = ctx.params.get("text").unwrap_or_default().to_string();
    let picked: Vec<String> = ctx
        .params
        .all("cause")
        .into_iter()
        .map(String::from)
        .collect();
    let region = ctx.params.get("region").unwrap_or_default().to_string();
    let plan: Vec<String> = ctx.params.all("m").into_iter().map(String::from).collect();
    let picked_refs: Vec<&str> = picked.iter().map(String::as_str).collect();

    let picker: PickerData = ctx.run(document!("picker"), json!({})).await?;
    let groups = cause_groups(lang, picker.causes.nodes().collect(), &picked_refs);
    let regions = region_choices(lang, picker.regions.nodes().collect(), Some(&region));

    let asked = !text.is_empty() || !picked.is_empty();
    let mut understood = Vec::new();
    let mut items = Vec::new();
    if asked {
        let mut input = Map::new();
        if !text.is_empty() {
            input.insert("text".into(), Value::from(text.clone()));
        }
        if !picked.is_empty() {
            input.insert("causes".into(), json!(picked));
        }
        if !region.is_empty() {
            input.insert("region".into(), Value::from(region.clone()));
        }
        input.insert("first".into(), Value::from(10));
        let data: RecommendData = ctx
            .run(document!("recommend"), json!({ "input": input }))
            .await?;
        understood = data
            .recommend
            .matched_causes
            .iter()
            .map(|m| Understood {
                cause: super::data::record_link(lang, PageKind::Cause, &m.cause),
                terms: m.matched_terms.join(" · "),
            })
            .collect();
        items = data
            .recommend
            .items
            .into_iter()
            .enumerate()
            .map(|(i, item)| view(lang, i + 1, item, &plan))
            .collect();
    }
    let problem = if text.is_empty() {
        understood
            .iter()
            .map(|u| u.cause.label.clone())
            .collect::<Vec<_>>()
            .join(&ctx.m("list.and"))
    } else {
        text.clone()
    };
    let plan_href = (!plan.is_empty()).then(|| {
        let mut pairs: Vec<(&str, &str)> = vec![("region", region.as_str()), ("problem", &problem)];
        pairs.retain(|(_, v)| !v.is_empty());
        pairs.extend(plan.iter().map(|m| ("m", m.as_str())));
        format!("{}{}", ctx.href("plan"), crate::web::params::encode(&pairs))
    });
    let title = if asked {
        format!("{} · {}", ctx.m("recommend.title"), problem)
    } else {
        ctx.m("recommend.title")
    };
    let page = RecommendPage {
        picker_open: !asked || understood.is_empty() || !picked.is_empty(),
        c: ctx.finish(title),
        text,
        asked,
        groups,
        regions,
        understood,
        items,
        plan,
        plan_href,
        problem,
        region,
    };
    Ok(html(StatusCode::OK, &page))
}

fn view(lang: Lang, rank: usize, item: Item, plan: &[String]) -> RecommendationView {
    let paths = item
        .paths
        .iter()
        .take(2)
        .map(|path| {
            path.steps
                .iter()
                .filter_map(|step| {
                    let kind = PageKind::of_entry(&step.kind)?;
                    Some(chip(
                        lang,
                        kind,
                        &Named {
                            slug: step.slug.clone(),
                            name: step.title.clone(),
                        },
                    ))
                })
                .collect()
        })
        .collect();
    RecommendationView {
        rank,
        href: format!("/{}/measure/{}", lang.code(), item.measure.slug),
        in_plan: plan.contains(&item.measure.slug),
        slug: item.measure.slug,
        title: item.measure.title.of(lang),
        summary: item.measure.summary.map(|s| s.of(lang)).unwrap_or_default(),
        prong: super::data::record_link(lang, PageKind::Prong, &item.strategy),
        paths,
        evidence: item.evidence.iter().take(4).map(|f| bar(lang, f)).collect(),
        rationale: item.rationale.of(lang),
        citations: item
            .measure
            .citations
            .iter()
            .map(|c| cited(lang, c))
            .collect(),
        cases: item
            .cases
            .iter()
            .take(3)
            .map(|c| super::data::record_link(lang, PageKind::Case, c))
            .collect(),
    }
}
