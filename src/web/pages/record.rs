//! Record pages (case, measure, cause, prong, kind of poverty, region, statistic): a headline
//! card, the sections with every relation as a link, the citations, the provenance and "cite
//! this". One template; each kind maps its document's data into the same view.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::data::{
    bar, cited, record_link, respondent, share, titled_link, Bar, Citation, Cited, Figure, Named,
    PageKind, Text,
};
use super::matrix::{self, MatrixData, MatrixView};
use super::{document, html, Chrome, Ctx, Link, PageResult};
use crate::error::ErrorCode;
use crate::web::cite::{self, Reference};
use crate::web::i18n::Lang;
use crate::web::page::{Document, PageError};

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    c: Chrome,
    r: RecordView,
}

#[derive(Default)]
struct RecordView {
    kind: String,
    title: String,
    facts: Vec<Fact>,
    sections: Vec<Section>,
    citations: Vec<Cited>,
    version: i32,
    history: Vec<String>,
    last_change: Option<String>,
    cite_gbt: String,
    cite_apa: String,
    source: Option<String>,
    mx: Option<MatrixView>,
}

struct Fact {
    label: String,
    value: String,
    href: Option<String>,
}

#[derive(Default)]
struct Section {
    heading: String,
    text: Option<String>,
    links: Vec<Link>,
    bars: Vec<Bar>,
}

impl Section {
    fn text(heading: String, text: String) -> Section {
        Section {
            heading,
            text: Some(text),
            ..Section::default()
        }
    }

    fn links(heading: String, links: Vec<Link>) -> Section {
        Section {
            heading,
            links,
            ..Section::default()
        }
    }
}

/// What every record document returns beside its own fields.
#[derive(Deserialize)]
struct Common {
    id: String,
    version: i32,
    citations: Vec<Citation>,
    /// What the record says that the source does not: every kind can say so.
    outside: Option<Text>,
}

/// A record of one kind: its data and how it becomes a view.
struct Built {
    view: RecordView,
    common: Common,
    crumbs: Vec<Link>,
    /// Only cases, measures, causes, statistics and regions have a history in the API.
    has_history: bool,
}

fn fact(label: String, value: String, href: Option<String>) -> Fact {
    Fact { label, value, href }
}

fn links(lang: Lang, kind: PageKind, list: &[Named]) -> Vec<Link> {
    list.iter().map(|n| record_link(lang, kind, n)).collect()
}

fn optional(lang: Lang, text: &Option<Text>) -> Option<String> {
    text.as_ref().map(|t| t.of(lang)).filter(|t| !t.is_empty())
}

/// `GET /{lang}/{kind}/{slug}`.
pub async fn record(mut ctx: Ctx, path: web::Path<(String, String, String)>) -> PageResult {
    let (_, kind, slug) = path.into_inner();
    let Some(kind) = PageKind::parse(&kind) else {
        return Err(ctx.not_found());
    };
    let lang = ctx.lang;
    let home = Link::new(ctx.href(""), ctx.m("nav.home"));
    let mut built = match kind {
        PageKind::Case => case(&mut ctx, &slug).await?,
        PageKind::Measure => measure(&mut ctx, &slug).await?,
        PageKind::Cause => cause(&mut ctx, &slug).await?,
        PageKind::Prong => prong(&mut ctx, &slug).await?,
        PageKind::Poverty => poverty(&mut ctx, &slug).await?,
        PageKind::Region => region(&mut ctx, &slug).await?,
        PageKind::Statistic => statistic(&mut ctx, &slug).await?,
    };
    if built.has_history {
        #[derive(Deserialize)]
        struct History {
            history: Vec<Revision>,
        }
        #[derive(Deserialize)]
        struct Revision {
            operation: String,
            at: String,
        }
        let history: History = ctx
            .run(document!("history"), json!({ "id": built.common.id }))
            .await?;
        built.view.last_change = history
            .history
            .first()
            .map(|r| r.at.chars().take(10).collect());
        built.view.history = history
            .history
            .iter()
            .map(|r| {
                format!(
                    "{} · {}",
                    r.at.chars().take(16).collect::<String>().replace('T', " "),
                    ctx.m(&format!("record.op_{}", r.operation.to_ascii_lowercase()))
                )
            })
            .collect();
    }
    let mut view = built.view;
    if let Some(outside) = optional(lang, &built.common.outside) {
        view.sections
            .push(Section::text(ctx.m("record.outside"), outside));
    }
    view.kind = ctx.m(&kind.message());
    view.version = built.common.version;
    view.citations = built
        .common
        .citations
        .iter()
        .map(|c| cited(lang, c))
        .collect();
    view.source = built.common.citations.iter().find_map(|c| {
        let s = c.source.as_ref()?;
        Some(format!(
            "{}. {}{}",
            s.authors.of(lang),
            s.title.of(lang),
            s.year.map(|y| format!(", {y}")).unwrap_or_default()
        ))
    });
    let url = ctx.chrome.url.clone();
    let reference = Reference {
        title: &view.title,
        url: &url,
        version: view.version,
        updated: view.last_change.as_deref(),
        accessed: &ctx.chrome.today,
    };
    view.cite_gbt = cite::gbt7714(&reference, lang);
    view.cite_apa = cite::apa(&reference);
    let mut crumbs = vec![home];
    crumbs.extend(built.crumbs);
    ctx.chrome.crumbs = crumbs;
    let title = view.title.clone();
    let page = RecordPage {
        c: ctx.finish(title),
        r: view,
    };
    Ok(html(StatusCode::OK, &page))
}

/// Runs a record document; a null record is the 404 page.
async fn fetch<T: for<'de> Deserialize<'de>>(
    ctx: &mut Ctx,
    document: Document,
    slug: &str,
) -> Result<(T, Common), PageError> {
    let data: serde_json::Value = ctx.run(document, json!({ "slug": slug })).await?;
    let record = data
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap_or_default();
    if record.is_null() {
        return Err(ctx.not_found());
    }
    Ok((
        parse(ctx, document, record.clone())?,
        parse(ctx, document, record)?,
    ))
}

fn parse<T: for<'de> Deserialize<'de>>(
    ctx: &Ctx,
    document: Document,
    value: serde_json::Value,
) -> Result<T, PageError> {
    serde_json::from_value(value).map_err(|err| {
        tracing::error!(document = document.name, error = %err, "a record page cannot read its data");
        ctx.error(ErrorCode::Internal, ctx.m("error.internal"))
    })
}

#[derive(Deserialize)]
struct CaseData {
    year: Option<i32>,
    title: Text,
    summary: Option<Text>,
    actions: Option<Text>,
    outcomes: Option<Text>,
    region: Option<RegionRef>,
    measures: Vec<CaseMeasure>,
    #[serde(default)]
    actors: Vec<Actor>,
}

/// A person or organisation the case names.
#[derive(Deserialize)]
struct Actor {
    name: Text,
    role: Option<Text>,
}

#[derive(Deserialize)]
struct RegionRef {
    slug: String,
    name: Text,
    parent: Option<Named>,
}

#[derive(Deserialize)]
struct CaseMeasure {
    slug: String,
    title: Text,
    strategy: Option<Named>,
    causes: Vec<Named>,
}

async fn case(ctx: &mut Ctx, slug: &str) -> Result<Built, PageError> {
    let lang = ctx.lang;
    let (data, common): (CaseData, Common) = fetch(ctx, document!("case"), slug).await?;
    let mut crumbs = Vec::new();
    let mut facts = Vec::new();
    if let Some(region) = &data.region {
        if let Some(parent) = &region.parent {
            crumbs.push(record_link(lang, PageKind::Region, parent));
        }
        let link = titled_link(lang, PageKind::Region, &region.slug, &region.name);
        facts.push(fact(
            ctx.m("record.where"),
            link.label.clone(),
            Some(link.href.clone()),
        ));
        crumbs.push(link);
    }
    let mut prongs: Vec<Named> = Vec::new();
    let mut causes: Vec<Named> = Vec::new();
    for m in &data.measures {
        if let Some(s) = &m.strategy {
            if !prongs.iter().any(|p| p.slug == s.slug) {
                prongs.push(s.clone());
            }
        }
        for c in &m.causes {
            if !causes.iter().any(|p| p.slug == c.slug) {
                causes.push(c.clone());
            }
        }
    }
    if !prongs.is_empty() {
        facts.push(fact(
            ctx.m("record.prong"),
            prongs
                .iter()
                .map(|p| p.name.of(lang))
                .collect::<Vec<_>>()
                .join(" · "),
            Some(format!("/{}/prong/{}", lang.code(), prongs[0].slug)),
        ));
    }
    if let Some(year) = data.year {
        facts.push(fact(ctx.m("record.year"), year.to_string(), None));
    }
    facts.push(fact(
        ctx.m("record.measures"),
        data.measures.len().to_string(),
        None,
    ));
    let mut sections = Vec::new();
    for (key, text) in [
        ("record.summary", &data.summary),
        ("record.actions", &data.actions),
        ("record.outcomes", &data.outcomes),
    ] {
        if let Some(text) = optional(lang, text) {
            sections.push(Section::text(ctx.m(key), text));
        }
    }
    sections.push(Section::links(
        ctx.m("record.measures"),
        data.measures
            .iter()
            .map(|m| titled_link(lang, PageKind::Measure, &m.slug, &m.title))
            .collect(),
    ));
    sections.push(Section::links(
        ctx.m("record.causes"),
        links(lang, PageKind::Cause, &causes),
    ));
    if !data.actors.is_empty() {
        let named = data.actors.iter().map(|a| match optional(lang, &a.role) {
            Some(role) => format!("{} — {role}", a.name.of(lang)),
            None => a.name.of(lang),
        });
        let named = named.map(|label| Link::new(String::new(), label)).collect();
        sections.push(Section::links(ctx.m("record.actors"), named));
    }
    Ok(Built {
        view: RecordView {
            title: data.title.of(lang),
            facts,
            sections,
            ..RecordView::default()
        },
        common,
        crumbs,
        has_history: true,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MeasureData {
    title: Text,
    summary: Option<Text>,
    strategy: Option<MeasureStrategy>,
    causes: Vec<MeasureCause>,
    #[serde(default)]
    cause_links: Vec<CauseLink>,
    cases: Vec<CaseInRegion>,
}

/// Whether the source states a measure's link to a cause or the knowledge base infers it.
#[derive(Deserialize)]
struct CauseLink {
    target: SlugOnly,
    provenance: LinkProvenance,
}

#[derive(Deserialize)]
struct SlugOnly {
    slug: String,
}

#[derive(Deserialize)]
struct LinkProvenance {
    kind: ProvenanceKind,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ProvenanceKind {
    Stated,
    Inferred,
}

#[derive(Deserialize)]
struct MeasureStrategy {
    slug: String,
    name: Text,
    dimension: Option<Named>,
}

#[derive(Deserialize)]
struct MeasureCause {
    slug: String,
    name: Text,
    dimensions: Vec<Named>,
    statistics: Vec<Figure>,
}

#[derive(Deserialize)]
struct CaseInRegion {
    slug: String,
    title: Text,
    region: Option<Named>,
}

fn case_links(lang: Lang, cases: &[CaseInRegion]) -> Vec<Link> {
    cases
        .iter()
        .map(|c| {
            let place = c
                .region
                .as_ref()
                .map(|r| format!(" · {}", r.name.of(lang)))
                .unwrap_or_default();
            Link::new(
                format!("/{}/case/{}", lang.code(), c.slug),
                format!("{}{place}", c.title.of(lang)),
            )
        })
        .collect()
}

async fn measure(ctx: &mut Ctx, slug: &str) -> Result<Built, PageError> {
    let lang = ctx.lang;
    let (data, common): (MeasureData, Common) = fetch(ctx, document!("measure"), slug).await?;
    let mut facts = Vec::new();
    let mut crumbs = Vec::new();
    if let Some(s) = &data.strategy {
        let link = titled_link(lang, PageKind::Prong, &s.slug, &s.name);
        facts.push(fact(
            ctx.m("record.prong"),
            link.label.clone(),
            Some(link.href.clone()),
        ));
        crumbs.push(link);
        if let Some(d) = &s.dimension {
            let link = record_link(lang, PageKind::Poverty, d);
            facts.push(fact(ctx.m("record.poverty"), link.label, Some(link.href)));
        }
    }
    facts.push(fact(
        ctx.m("record.cases"),
        data.cases.len().to_string(),
        None,
    ));
    let figures: Vec<Figure> = data
        .causes
        .iter()
        .flat_map(|c| c.statistics.clone())
        .collect();
    if let Some(key) = share(lang, &figures) {
        facts.push(fact(ctx.m("record.key_figure"), key, None));
    }
    let mut sections = Vec::new();
    if let Some(text) = optional(lang, &data.summary) {
        sections.push(Section::text(ctx.m("record.summary"), text));
    }
    sections.push(Section::links(
        ctx.m("record.causes_answered"),
        data.causes
            .iter()
            .map(|c| {
                let kinds: Vec<String> = c.dimensions.iter().map(|d| d.name.of(lang)).collect();
                let mut link = titled_link(lang, PageKind::Cause, &c.slug, &c.name);
                if !kinds.is_empty() {
                    link.label = format!("{} → {}", link.label, kinds.join(" · "));
                }
                let provenance = data.cause_links.iter().find(|l| l.target.slug == c.slug);
                if let Some(provenance) = provenance {
                    let key = match provenance.provenance.kind {
                        ProvenanceKind::Stated => "record.stated",
                        ProvenanceKind::Inferred => "record.inferred",
                    };
                    link.label = format!("{} ({})", link.label, ctx.m(key));
                }
                link
            })
            .collect(),
    ));
    if !figures.is_empty() {
        sections.push(Section {
            heading: ctx.m("record.evidence"),
            bars: figures.iter().map(|f| bar(lang, f)).collect(),
            ..Section::default()
        });
    }
    sections.push(Section::links(
        ctx.m("record.cases"),
        case_links(lang, &data.cases),
    ));
    Ok(Built {
        view: RecordView {
            title: data.title.of(lang),
            facts,
            sections,
            ..RecordView::default()
        },
        common,
        crumbs,
        has_history: true,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CauseData {
    is_group: bool,
    name: Text,
    summary: Option<Text>,
    parent: Option<Named>,
    children: Vec<Named>,
    dimensions: Vec<Named>,
    measures: Vec<CauseMeasure>,
    statistics: Vec<Figure>,
}

#[derive(Deserialize)]
struct CauseMeasure {
    slug: String,
    title: Text,
    strategy: Option<Named>,
    /// Only counted.
    cases: Vec<serde::de::IgnoredAny>,
}

async fn cause(ctx: &mut Ctx, slug: &str) -> Result<Built, PageError> {
    let lang = ctx.lang;
    let (data, common): (CauseData, Common) = fetch(ctx, document!("cause"), slug).await?;
    let mut crumbs = vec![Link::new(ctx.href("matrix"), ctx.m("matrix.title"))];
    let mut facts = vec![fact(
        ctx.m("record.level"),
        ctx.m(if data.is_group {
            "record.cause_group"
        } else {
            "record.cause_factor"
        }),
        None,
    )];
    if let Some(parent) = &data.parent {
        crumbs.push(record_link(lang, PageKind::Cause, parent));
    }
    if !data.dimensions.is_empty() {
        facts.push(fact(
            ctx.m("record.poverty"),
            data.dimensions
                .iter()
                .map(|d| d.name.of(lang))
                .collect::<Vec<_>>()
                .join(" · "),
            Some(format!(
                "/{}/poverty/{}",
                lang.code(),
                data.dimensions[0].slug
            )),
        ));
    }
    let cases: usize = data.measures.iter().map(|m| m.cases.len()).sum();
    facts.push(fact(
        ctx.m("record.measures"),
        data.measures.len().to_string(),
        None,
    ));
    facts.push(fact(ctx.m("record.cases"), cases.to_string(), None));
    if let Some(key) = share(lang, &data.statistics) {
        facts.push(fact(ctx.m("record.key_figure"), key, None));
    }
    let mut sections = Vec::new();
    if let Some(text) = optional(lang, &data.summary) {
        sections.push(Section::text(ctx.m("record.summary"), text));
    }
    if !data.children.is_empty() {
        sections.push(Section::links(
            ctx.m("record.sub_causes"),
            links(lang, PageKind::Cause, &data.children),
        ));
    }
    sections.push(Section::links(
        ctx.m("record.poverty"),
        links(lang, PageKind::Poverty, &data.dimensions),
    ));
    sections.push(Section::links(
        ctx.m("record.measures"),
        data.measures
            .iter()
            .map(|m| {
                let mut link = titled_link(lang, PageKind::Measure, &m.slug, &m.title);
                if let Some(s) = &m.strategy {
                    link.label = format!("{} · {}", link.label, s.name.of(lang));
                }
                link
            })
            .collect(),
    ));
    if !data.statistics.is_empty() {
        sections.push(Section {
            heading: ctx.m("record.evidence"),
            bars: data.statistics.iter().map(|f| bar(lang, f)).collect(),
            ..Section::default()
        });
    }
    Ok(Built {
        view: RecordView {
            title: data.name.of(lang),
            facts,
            sections,
            ..RecordView::default()
        },
        common,
        crumbs,
        has_history: true,
    })
}

#[derive(Deserialize)]
struct ProngData {
    position: i32,
    name: Text,
    aim: Text,
    summary: Option<Text>,
    dimension: Option<Named>,
    measures: Vec<ProngMeasure>,
}

#[derive(Deserialize)]
struct ProngMeasure {
    slug: String,
    title: Text,
    cases: Vec<Named>,
}

async fn prong(ctx: &mut Ctx, slug: &str) -> Result<Built, PageError> {
    let lang = ctx.lang;
    let (data, common): (ProngData, Common) = fetch(ctx, document!("prong"), slug).await?;
    let mut facts = vec![fact(
        ctx.m("record.position"),
        ctx.m("record.prong_n")
            .replace("{n}", &data.position.to_string()),
        None,
    )];
    if let Some(d) = &data.dimension {
        let link = record_link(lang, PageKind::Poverty, d);
        facts.push(fact(ctx.m("record.poverty"), link.label, Some(link.href)));
    }
    let mut cases: Vec<Named> = Vec::new();
    for m in &data.measures {
        for c in &m.cases {
            if !cases.iter().any(|k| k.slug == c.slug) {
                cases.push(c.clone());
            }
        }
    }
    facts.push(fact(
        ctx.m("record.measures"),
        data.measures.len().to_string(),
        None,
    ));
    facts.push(fact(ctx.m("record.cases"), cases.len().to_string(), None));
    let mut sections = vec![Section::text(ctx.m("record.aim"), data.aim.of(lang))];
    if let Some(text) = optional(lang, &data.summary) {
        sections.push(Section::text(ctx.m("record.summary"), text));
    }
    sections.push(Section::links(
        ctx.m("record.measures"),
        data.measures
            .iter()
            .map(|m| titled_link(lang, PageKind::Measure, &m.slug, &m.title))
            .collect(),
    ));
    sections.push(Section::links(
        ctx.m("record.cases"),
        links(lang, PageKind::Case, &cases),
    ));
    Ok(Built {
        view: RecordView {
            title: data.name.of(lang),
            facts,
            sections,
            ..RecordView::default()
        },
        common,
        crumbs: Vec::new(),
        has_history: false,
    })
}

#[derive(Deserialize)]
struct PovertyData {
    name: Text,
    summary: Option<Text>,
    causes: Vec<Named>,
    strategies: Vec<Named>,
    statistics: Vec<Figure>,
}

async fn poverty(ctx: &mut Ctx, slug: &str) -> Result<Built, PageError> {
    let lang = ctx.lang;
    let (data, common): (PovertyData, Common) = fetch(ctx, document!("poverty"), slug).await?;
    let mut facts = vec![
        fact(ctx.m("record.causes"), data.causes.len().to_string(), None),
        fact(
            ctx.m("record.prong"),
            data.strategies
                .iter()
                .map(|s| s.name.of(lang))
                .collect::<Vec<_>>()
                .join(" · "),
            data.strategies
                .first()
                .map(|s| format!("/{}/prong/{}", lang.code(), s.slug)),
        ),
    ];
    if let Some(key) = share(lang, &data.statistics) {
        facts.push(fact(ctx.m("record.key_figure"), key, None));
    }
    let mut sections = Vec::new();
    if let Some(text) = optional(lang, &data.summary) {
        sections.push(Section::text(ctx.m("record.summary"), text));
    }
    sections.push(Section::links(
        ctx.m("record.causes"),
        links(lang, PageKind::Cause, &data.causes),
    ));
    sections.push(Section::links(
        ctx.m("record.prong"),
        links(lang, PageKind::Prong, &data.strategies),
    ));
    if !data.statistics.is_empty() {
        sections.push(Section {
            heading: ctx.m("record.evidence"),
            bars: data.statistics.iter().map(|f| bar(lang, f)).collect(),
            ..Section::default()
        });
    }
    Ok(Built {
        view: RecordView {
            title: data.name.of(lang),
            facts,
            sections,
            ..RecordView::default()
        },
        common,
        crumbs: Vec::new(),
        has_history: false,
    })
}

#[derive(Deserialize)]
struct RegionData {
    slug: String,
    level: String,
    name: Text,
    zone: Option<Text>,
    summary: Option<Text>,
    parent: Option<Ancestor>,
    children: Vec<RegionChild>,
    indicators: Vec<Indicator>,
    cases: Vec<Named>,
}

#[derive(Deserialize)]
struct Ancestor {
    slug: String,
    name: Text,
    parent: Option<Box<Ancestor>>,
}

#[derive(Deserialize)]
struct RegionChild {
    slug: String,
    name: Text,
    cases: Vec<Named>,
}

#[derive(Deserialize)]
struct Indicator {
    name: Text,
    value: f64,
    #[serde(default)]
    qualifier: super::data::Qualifier,
    unit: Text,
    year: Option<i32>,
    note: Option<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegionContext {
    region: Option<Siblings>,
    evidence_matrix: MatrixData,
}

#[derive(Deserialize)]
struct Siblings {
    children: Vec<RegionChild>,
}

async fn region(ctx: &mut Ctx, slug: &str) -> Result<Built, PageError> {
    let lang = ctx.lang;
    let (data, common): (RegionData, Common) = fetch(ctx, document!("region"), slug).await?;
    let parent = data
        .parent
        .as_ref()
        .map(|p| p.slug.clone())
        .unwrap_or_else(|| data.slug.clone());
    let context: RegionContext = ctx
        .run(
            document!("region-context"),
            json!({ "parent": parent, "region": data.slug }),
        )
        .await?;
    let mut ancestors = Vec::new();
    let mut next = data.parent.as_ref();
    while let Some(a) = next {
        ancestors.push(Link::new(
            format!("/{}/region/{}", lang.code(), a.slug),
            a.name.of(lang),
        ));
        next = a.parent.as_deref();
    }
    ancestors.reverse();
    let mut cases_in: Vec<Named> = data.cases.clone();
    for child in &data.children {
        cases_in.extend(child.cases.iter().cloned());
    }
    let near: Vec<Link> = context
        .region
        .map(|s| s.children)
        .unwrap_or_default()
        .into_iter()
        .filter(|sibling| sibling.slug != data.slug)
        .flat_map(|sibling| {
            let place = sibling.name.of(lang);
            sibling.cases.into_iter().map(move |c| (c, place.clone()))
        })
        .map(|(c, place)| {
            let mut link = record_link(lang, PageKind::Case, &c);
            link.label = format!("{} · {place}", link.label);
            link
        })
        .collect();
    let mut facts = vec![fact(
        ctx.m("record.level"),
        ctx.m(&format!("level.{}", data.level)),
        None,
    )];
    if let Some(zone) = optional(lang, &data.zone) {
        facts.push(fact(ctx.m("record.zone"), zone, None));
    }
    if let Some(parent) = ancestors.last() {
        facts.push(fact(
            ctx.m("record.in"),
            parent.label.clone(),
            Some(parent.href.clone()),
        ));
    }
    facts.push(fact(
        ctx.m("record.cases"),
        cases_in.len().to_string(),
        None,
    ));
    if let Some(first) = data.indicators.first() {
        facts.push(fact(
            first.name.of(lang),
            super::data::format_value(lang, first.value, first.qualifier, &first.unit),
            None,
        ));
    }
    let mut sections = Vec::new();
    if let Some(text) = optional(lang, &data.summary) {
        sections.push(Section::text(ctx.m("record.summary"), text));
    }
    if !data.indicators.is_empty() {
        sections.push(Section::links(
            ctx.m("record.indicators"),
            data.indicators
                .iter()
                .map(|i| {
                    let year = i.year.map(|y| format!(" ({y})")).unwrap_or_default();
                    let note = optional(lang, &i.note)
                        .map(|n| format!(" — {n}"))
                        .unwrap_or_default();
                    Link::new(
                        "",
                        format!(
                            "{}: {}{year}{note}",
                            i.name.of(lang),
                            super::data::format_value(lang, i.value, i.qualifier, &i.unit)
                        ),
                    )
                })
                .collect(),
        ));
    }
    if !data.children.is_empty() {
        sections.push(Section::links(
            ctx.m("record.subregions"),
            data.children
                .iter()
                .map(|c| titled_link(lang, PageKind::Region, &c.slug, &c.name))
                .collect(),
        ));
    }
    sections.push(Section::links(
        ctx.m("record.cases_in"),
        links(lang, PageKind::Case, &cases_in),
    ));
    sections.push(Section::links(ctx.m("record.cases_near"), near));
    let base = format!("{}{}", ctx.href(&format!("region/{}", data.slug)), "");
    let mx = matrix::view(lang, context.evidence_matrix, &base, &ctx.params);
    Ok(Built {
        view: RecordView {
            title: data.name.of(lang),
            facts,
            sections,
            mx: Some(mx),
            ..RecordView::default()
        },
        common,
        crumbs: ancestors,
        has_history: true,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatisticData {
    figure: Option<i32>,
    sample: Option<i32>,
    question: Option<Text>,
    multiple_answers: Option<bool>,
    base: Option<Text>,
    respondent: Option<String>,
    value: f64,
    #[serde(default)]
    qualifier: super::data::Qualifier,
    series: Option<Text>,
    label: Text,
    unit: Text,
    cause: Option<StatisticCause>,
    dimension: Option<Named>,
    region: Option<Named>,
}

#[derive(Deserialize)]
struct StatisticCause {
    slug: String,
    name: Text,
    measures: Vec<Named>,
}

async fn statistic(ctx: &mut Ctx, slug: &str) -> Result<Built, PageError> {
    let lang = ctx.lang;
    let (data, common): (StatisticData, Common) = fetch(ctx, document!("statistic"), slug).await?;
    let crumbs = vec![Link::new(ctx.href("survey"), ctx.m("survey.title"))];
    let mut facts = vec![fact(
        ctx.m("record.value"),
        super::data::format_value(lang, data.value, data.qualifier, &data.unit),
        None,
    )];
    let who = respondent(lang, data.respondent.as_deref());
    if !who.is_empty() {
        facts.push(fact(ctx.m("survey.respondents"), who, None));
    }
    facts.push(fact(
        ctx.m("survey.sample"),
        data.sample
            .map(|n| n.to_string())
            .unwrap_or_else(|| ctx.m("survey.sample_not_given")),
        None,
    ));
    if let Some(base) = optional(lang, &data.base) {
        facts.push(fact(ctx.m("survey.base"), base, None));
    }
    if data.multiple_answers == Some(true) {
        facts.push(fact(
            ctx.m("survey.answers"),
            ctx.m("survey.multiple_answers"),
            None,
        ));
    }
    if let Some(n) = data.figure {
        facts.push(fact(
            ctx.m("record.figure"),
            ctx.m("survey.figure_n").replace("{n}", &n.to_string()),
            Some(format!("{}#figure-{n}", ctx.href("survey"))),
        ));
    }
    let mut sections = Vec::new();
    if let Some(question) = optional(lang, &data.question).or(optional(lang, &data.series)) {
        sections.push(Section::text(ctx.m("survey.question"), question));
    }
    let mut related = Vec::new();
    if let Some(c) = &data.cause {
        related.push(titled_link(lang, PageKind::Cause, &c.slug, &c.name));
    }
    if let Some(d) = &data.dimension {
        related.push(record_link(lang, PageKind::Poverty, d));
    }
    if let Some(r) = &data.region {
        related.push(record_link(lang, PageKind::Region, r));
    }
    sections.push(Section::links(ctx.m("record.related"), related));
    if let Some(c) = &data.cause {
        sections.push(Section::links(
            ctx.m("record.measures"),
            links(lang, PageKind::Measure, &c.measures),
        ));
    }
    let title = format!(
        "{} · {}",
        data.label.of(lang),
        super::data::format_value(lang, data.value, data.qualifier, &data.unit)
    );
    Ok(Built {
        view: RecordView {
            title,
            facts,
            sections,
            ..RecordView::default()
        },
        common,
        crumbs,
        has_history: true,
    })
}
