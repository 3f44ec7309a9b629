//! The plan: the measures a planner chose for a region and a problem. Its whole state is in
//! the URL (`region`, `problem`, `m` repeated), so a link is the plan; it prints as a document
//! and downloads as Markdown.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::data::{
    chip, cited, region_choices, Chip, Choice, Citation, Cited, Connection, Named, PageKind,
    RegionRow, Text,
};
use super::{document, html, Chrome, Ctx, Link, PageResult};
use crate::error::ErrorCode;
use crate::web::i18n::Lang;
use crate::web::page::PageError;
use crate::web::params::encode;

/// More measures than this is not a plan but the catalogue.
const MAX_MEASURES: usize = 20;

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    plan: Plan,
    regions: Vec<Choice>,
    markdown_href: String,
    share_url: String,
    more_href: String,
}

#[derive(Template)]
#[template(path = "plan.md")]
struct PlanMarkdown {
    c: Chrome,
    plan: Plan,
    share_url: String,
}

struct Plan {
    region: Option<String>,
    problem: String,
    slugs: Vec<String>,
    measures: Vec<PlanMeasure>,
}

struct PlanMeasure {
    href: String,
    title: String,
    summary: String,
    prong: Link,
    paths: Vec<Vec<Chip>>,
    cases: Vec<Link>,
    citations: Vec<Cited>,
    remove_href: String,
}

#[derive(Deserialize)]
struct MeasureData {
    measure: Option<Measure>,
}

#[derive(Deserialize)]
struct Measure {
    slug: String,
    title: Text,
    summary: Option<Text>,
    strategy: Option<Strategy>,
    causes: Vec<Cause>,
    cases: Vec<Case>,
    citations: Vec<Citation>,
}

#[derive(Deserialize)]
struct Strategy {
    slug: String,
    name: Text,
    dimension: Option<Named>,
}

#[derive(Deserialize)]
struct Cause {
    slug: String,
    name: Text,
    dimensions: Vec<Named>,
}

#[derive(Deserialize)]
struct Case {
    slug: String,
    title: Text,
    region: Option<Named>,
}

#[derive(Deserialize)]
struct RegionsData {
    regions: Connection<RegionRow>,
}

/// Reads the plan of the URL through the API: one `PlanMeasure` document per measure.
async fn load(ctx: &mut Ctx) -> Result<(Plan, Vec<RegionRow>), PageError> {
    let lang = ctx.lang;
    let slugs: Vec<String> = ctx
        .params
        .all("m")
        .into_iter()
        .take(MAX_MEASURES)
        .map(String::from)
        .collect();
    let region_slug = ctx.params.get("region").map(String::from);
    let problem = ctx.params.get("problem").unwrap_or_default().to_string();
    let regions: RegionsData = ctx.run(document!("regions"), json!({})).await?;
    let regions: Vec<RegionRow> = regions.regions.nodes().collect();
    let region = match &region_slug {
        Some(slug) => Some(
            regions
                .iter()
                .find(|r| &r.slug == slug)
                .map(|r| r.name.of(lang))
                .ok_or_else(|| {
                    ctx.error(
                        ErrorCode::BadUserInput,
                        ctx.m("plan.unknown_region").replace("{slug}", slug),
                    )
                })?,
        ),
        None => None,
    };
    let mut measures = Vec::new();
    for slug in &slugs {
        let data: MeasureData = ctx
            .run(document!("plan-measure"), json!({ "slug": slug }))
            .await?;
        let Some(measure) = data.measure else {
            return Err(ctx.error(
                ErrorCode::NotFound,
                ctx.m("plan.unknown_measure").replace("{slug}", slug),
            ));
        };
        measures.push(view(ctx, lang, measure));
    }
    Ok((
        Plan {
            region,
            problem,
            slugs,
            measures,
        },
        regions,
    ))
}

/// cause -> kind of poverty -> prong -> measure -> case, for each cause the measure answers:
/// the kind of poverty the cause feeds that the prong addresses when there is one.
fn paths(lang: Lang, measure: &Measure) -> Vec<Vec<Chip>> {
    let measure_named = Named {
        slug: measure.slug.clone(),
        name: measure.title.clone(),
    };
    let case = measure.cases.first().map(|c| Named {
        slug: c.slug.clone(),
        name: c.title.clone(),
    });
    measure
        .causes
        .iter()
        .map(|cause| {
            let mut path = vec![chip(
                lang,
                PageKind::Cause,
                &Named {
                    slug: cause.slug.clone(),
                    name: cause.name.clone(),
                },
            )];
            let prong_dimension = measure
                .strategy
                .as_ref()
                .and_then(|s| s.dimension.as_ref())
                .map(|d| d.slug.as_str());
            let dimension = cause
                .dimensions
                .iter()
                .find(|d| Some(d.slug.as_str()) == prong_dimension)
                .or(cause.dimensions.first());
            if let Some(dimension) = dimension {
                path.push(chip(lang, PageKind::Poverty, dimension));
            }
            if let Some(strategy) = &measure.strategy {
                path.push(chip(
                    lang,
                    PageKind::Prong,
                    &Named {
                        slug: strategy.slug.clone(),
                        name: strategy.name.clone(),
                    },
                ));
            }
            path.push(chip(lang, PageKind::Measure, &measure_named));
            if let Some(case) = &case {
                path.push(chip(lang, PageKind::Case, case));
            }
            path
        })
        .collect()
}

fn view(ctx: &Ctx, lang: Lang, measure: Measure) -> PlanMeasure {
    PlanMeasure {
        href: format!("/{}/measure/{}", lang.code(), measure.slug),
        title: measure.title.of(lang),
        summary: measure
            .summary
            .as_ref()
            .map(|s| s.of(lang))
            .unwrap_or_default(),
        prong: measure
            .strategy
            .as_ref()
            .map(|s| {
                Link::new(
                    format!("/{}/prong/{}", lang.code(), s.slug),
                    s.name.of(lang),
                )
            })
            .unwrap_or_else(|| Link::new("", "")),
        paths: paths(lang, &measure),
        cases: measure
            .cases
            .iter()
            .map(|c| {
                let place = c
                    .region
                    .as_ref()
                    .map(|r| format!(" ({})", r.name.of(lang)))
                    .unwrap_or_default();
                Link::new(
                    format!("/{}/case/{}", lang.code(), c.slug),
                    format!("{}{place}", c.title.of(lang)),
                )
            })
            .collect(),
        citations: measure.citations.iter().map(|c| cited(lang, c)).collect(),
        remove_href: format!(
            "{}{}",
            ctx.href("plan"),
            ctx.params.removing("m", &measure.slug)
        ),
    }
}

fn share_url(ctx: &Ctx) -> String {
    ctx.chrome.url.clone()
}

pub async fn plan(mut ctx: Ctx) -> PageResult {
    let (plan, regions) = load(&mut ctx).await?;
    let lang = ctx.lang;
    let query = ctx.params.current();
    let mut more: Vec<(&str, &str)> = Vec::new();
    if let Some(region) = ctx.params.get("region") {
        more.push(("region", region));
    }
    if !plan.problem.is_empty() {
        more.push(("text", &plan.problem));
    }
    more.extend(plan.slugs.iter().map(|m| ("m", m.as_str())));
    let more_href = format!("{}{}", ctx.href("recommend"), encode(&more));
    let regions = region_choices(lang, regions, ctx.params.get("region"));
    let title = match &plan.region {
        Some(region) => format!("{} · {region}", ctx.m("plan.title")),
        None => ctx.m("plan.title"),
    };
    let page = PlanPage {
        markdown_href: format!("{}{query}", ctx.href("plan.md")),
        share_url: share_url(&ctx),
        more_href,
        regions,
        plan,
        c: ctx.finish(title),
    };
    Ok(html(StatusCode::OK, &page))
}

/// The plan as a Markdown file, for a Word or WPS report.
pub async fn plan_markdown(mut ctx: Ctx) -> PageResult {
    let (plan, _) = load(&mut ctx).await?;
    let share_url = share_url(&ctx).replacen("/plan.md", "/plan", 1);
    let page = PlanMarkdown {
        c: ctx.finish(String::new()),
        plan,
        share_url,
    };
    let body = page.render().map_err(|err| {
        tracing::error!(error = %err, "the plan's Markdown template failed");
        ctx.error(ErrorCode::Internal, ctx.m("error.internal"))
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/markdown; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"policy-kb-plan.md\"",
        ))
        .body(body))
}
