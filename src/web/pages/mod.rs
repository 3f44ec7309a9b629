//! The screens. Each handler runs its documents through `Ctx::run` and renders a template.

mod data;
mod matrix;
mod plan;
mod recommend;
mod record;
mod search;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::assets;
use super::chart;
use super::page::{document, html, preferred_lang, Chrome, Ctx, Link, PageError};
use data::{format_value, respondent, Connection, Qualifier, Text};

pub use matrix::matrix;
pub use plan::{plan, plan_markdown};
pub use recommend::recommend;
pub use record::record;
pub use search::search;

type PageResult = Result<HttpResponse, PageError>;

/// `/`: the home page in the language the browser prefers (303, so the choice is not cached
/// as permanent).
pub async fn root(req: HttpRequest) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/{}/", preferred_lang(&req).code()),
        ))
        .insert_header((header::VARY, "Accept-Language"))
        .finish()
}

/// `/zh` and `/en`: their home pages, `/zh/` and `/en/`.
pub async fn lang_root(req: HttpRequest) -> HttpResponse {
    match req.match_info().get("lang").and_then(super::Lang::parse) {
        Some(lang) => HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, format!("/{}/", lang.code())))
            .finish(),
        None => not_found(req).await,
    }
}

/// Any path the app does not know.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&PageError::unknown_path(&req))
}

/// A list entry: a link with a line of explanation.
pub struct Item {
    pub href: String,
    pub label: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    prongs: Vec<Item>,
    kinds: Vec<Item>,
    regions: Vec<Link>,
}

#[derive(Deserialize)]
struct HomeData {
    strategies: Vec<Described>,
    dimensions: Vec<Described>,
    regions: Connection<data::RegionRow>,
}

/// The districts and counties of the field study: the regions the home page offers.
const STUDY_LEVELS: [&str; 2] = ["district", "county"];

#[derive(Deserialize)]
struct Described {
    slug: String,
    name: Text,
    #[serde(alias = "aim")]
    summary: Option<Text>,
}

pub async fn home(mut ctx: Ctx) -> PageResult {
    let data: HomeData = ctx.run(document!("home"), json!({})).await?;
    let lang = ctx.lang;
    let items = |segment: &str, list: Vec<Described>| -> Vec<Item> {
        list.into_iter()
            .map(|d| Item {
                href: format!("/{}/{segment}/{}", lang.code(), d.slug),
                label: d.name.of(lang),
                note: d.summary.map(|s| s.of(lang)).unwrap_or_default(),
            })
            .collect()
    };
    let page = HomePage {
        prongs: items("prong", data.strategies),
        kinds: items("poverty", data.dimensions),
        regions: data
            .regions
            .nodes()
            .filter(|r| STUDY_LEVELS.contains(&r.level.as_str()))
            .map(|r| {
                Link::new(
                    format!("/{}/region/{}", lang.code(), r.slug),
                    r.name.of(lang),
                )
            })
            .collect(),
        c: ctx.finish(ctx.m("home.title")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "glossary.html")]
struct GlossaryPage {
    c: Chrome,
    terms: Vec<TermView>,
}

struct TermView {
    slug: String,
    term: String,
    pinyin: String,
    english: String,
    explanation: String,
    /// What of the entry does not come from the source, and where it comes from.
    outside: Option<String>,
}

#[derive(Deserialize)]
struct Term {
    slug: String,
    term: String,
    pinyin: String,
    english: String,
    explanation: Text,
    outside: Option<Text>,
}

pub async fn glossary(mut ctx: Ctx) -> PageResult {
    #[derive(Deserialize)]
    struct Data {
        glossary: Vec<Term>,
    }
    let data: Data = ctx.run(document!("glossary"), json!({})).await?;
    let lang = ctx.lang;
    let page = GlossaryPage {
        terms: data
            .glossary
            .into_iter()
            .map(|t| TermView {
                slug: t.slug,
                term: t.term,
                pinyin: t.pinyin,
                english: t.english,
                explanation: t.explanation.of(lang),
                outside: t.outside.map(|o| o.of(lang)).filter(|o| !o.is_empty()),
            })
            .collect(),
        c: ctx.finish(ctx.m("glossary.title")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    c: Chrome,
    about: Option<String>,
    figures: Vec<chart::Chart>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SurveyData {
    statistics: Connection<SurveyFigure>,
    sources: Vec<SurveySource>,
}

#[derive(Deserialize)]
struct SurveyFigure {
    slug: String,
    figure: Option<i32>,
    series: Option<Text>,
    label: Text,
    value: f64,
    #[serde(default)]
    qualifier: Qualifier,
    unit: Text,
    respondent: Option<String>,
    sample: Option<i32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SurveySource {
    survey: Option<SurveyFacts>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SurveyFacts {
    start: String,
    end: String,
    sampling: Text,
    questionnaires_issued: i32,
    questionnaires_valid: i32,
    valid_rate: f64,
}

/// Every figure of the source as a chart, in the source's order; the shares the text gives
/// outside the figures come last, as one chart.
pub async fn survey(mut ctx: Ctx) -> PageResult {
    let data: SurveyData = ctx.run(document!("survey"), json!({})).await?;
    let lang = ctx.lang;
    let facts = data.sources.into_iter().find_map(|s| s.survey);
    let valid = facts.as_ref().map(|f| f.questionnaires_valid);
    let about = facts.map(|f| {
        ctx.m("survey.about")
            .replace("{start}", &f.start)
            .replace("{end}", &f.end)
            .replace("{issued}", &f.questionnaires_issued.to_string())
            .replace("{valid}", &f.questionnaires_valid.to_string())
            .replace("{rate}", &f.valid_rate.to_string())
            .replace("{sampling}", &f.sampling.of(lang))
    });
    let mut groups: Vec<(Option<i32>, Vec<SurveyFigure>)> = Vec::new();
    for figure in data.statistics.nodes() {
        match groups.iter_mut().find(|(n, _)| *n == figure.figure) {
            Some((_, list)) => list.push(figure),
            None => groups.push((figure.figure, vec![figure])),
        }
    }
    groups.sort_by_key(|(n, _)| n.unwrap_or(i32::MAX));
    let figures = groups
        .into_iter()
        .map(|(number, list)| {
            let title = match number {
                Some(n) => ctx.m("survey.figure_n").replace("{n}", &n.to_string()),
                None => ctx.m("survey.in_text"),
            };
            let question = list
                .iter()
                .find_map(|f| f.series.as_ref())
                .map(|s| s.of(lang))
                .unwrap_or_else(|| ctx.m("survey.in_text_question"));
            let mut groups: Vec<String> = Vec::new();
            for f in &list {
                let who = respondent(lang, f.respondent.as_deref());
                if !who.is_empty() && !groups.contains(&who) {
                    groups.push(who);
                }
            }
            let samples: Vec<i32> = list.iter().filter_map(|f| f.sample).collect();
            let sample = match (samples.first(), valid) {
                (Some(n), _) => ctx.m("survey.sample_n").replace("{n}", &n.to_string()),
                (None, Some(valid)) => ctx
                    .m("survey.sample_unknown")
                    .replace("{valid}", &valid.to_string()),
                (None, None) => String::new(),
            };
            chart::Chart::new(
                format!(
                    "figure-{}",
                    number.map_or("text".to_string(), |n| n.to_string())
                ),
                format!("{title}: {question}"),
                question,
                groups.join(lang.messages().get("list.and").as_str()),
                sample,
                list.iter()
                    .map(|f| chart::Row {
                        href: format!("/{}/statistic/{}", lang.code(), f.slug),
                        label: f.label.of(lang),
                        group: respondent(lang, f.respondent.as_deref()),
                        value: f.value,
                        shown: format_value(lang, f.value, f.qualifier, &f.unit),
                        percent: f.unit.zh.trim() == "%",
                    })
                    .collect(),
                lang,
            )
        })
        .collect();
    let page = SurveyPage {
        about,
        figures,
        c: ctx.finish(ctx.m("survey.title")),
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "graphiql.html")]
struct GraphiqlPage {
    react: String,
    react_dom: String,
    graphiql: String,
    graphiql_css: String,
    start: String,
}

/// GraphiQL from the binary's own assets. Its editor sets styles at run time, so this page
/// (not a planner page) allows inline styles; scripts still come only from this server.
pub async fn graphiql() -> HttpResponse {
    let page = GraphiqlPage {
        react: assets::url("vendor/react.production.min.js"),
        react_dom: assets::url("vendor/react-dom.production.min.js"),
        graphiql: assets::url("vendor/graphiql.min.js"),
        graphiql_css: assets::url("vendor/graphiql.min.css"),
        start: assets::url("graphiql-start.js"),
    };
    let mut response = html(StatusCode::OK, &page);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}
