//! Search: hits with their `<mark>` highlights, facet counts as filter links, paging, and an
//! empty result that leads to Recommend.

use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;
use serde_json::{json, Value};

use super::data::{Connection, Named, PageKind, Text};
use super::{document, html, Chrome, Ctx, Link, PageResult};
use crate::graphql::id::search_cursor;
use crate::web::highlight::marks_only;

const PAGE_SIZE: usize = 10;
/// The filters a search page takes from its query string, and the facet each one narrows.
const FILTERS: [(&str, &str); 4] = [
    ("kind", "kinds"),
    ("strategy", "strategies"),
    ("dimension", "dimensions"),
    ("region", "regions"),
];

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    summary: String,
    hits: Vec<HitView>,
    facets: Vec<FacetView>,
    /// The filters in force, each a link that removes it.
    active: Vec<Link>,
    previous: Option<String>,
    next: Option<String>,
    recommend_href: String,
}

struct HitView {
    href: String,
    kind: String,
    title: String,
    /// Escaped HTML whose only markup is `<mark>`.
    snippets: Vec<String>,
}

struct FacetView {
    heading: String,
    values: Vec<FacetLink>,
}

struct FacetLink {
    href: String,
    label: String,
    count: u64,
    active: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    search: Results,
    strategies: Vec<Named>,
    dimensions: Vec<Named>,
    regions: Connection<Named>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Results {
    total_count: u64,
    hits: Vec<Hit>,
    facets: Vec<Facet>,
    page_info: PageInfo,
}

#[derive(Deserialize)]
struct Hit {
    kind: String,
    slug: String,
    title: Text,
    highlights: Vec<Highlight>,
}

#[derive(Deserialize)]
struct Highlight {
    lang: String,
    html: String,
}

#[derive(Deserialize)]
struct Facet {
    field: String,
    values: Vec<FacetValue>,
}

#[derive(Deserialize)]
struct FacetValue {
    value: String,
    count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    has_previous_page: bool,
}

pub async fn search(mut ctx: Ctx) -> PageResult {
    let lang = ctx.lang;
    let q = ctx.params.get("q").unwrap_or_default().to_string();
    let recommend_href = format!(
        "{}{}",
        ctx.href("recommend"),
        super::super::params::encode(&[("text", q.as_str())])
    );
    if q.is_empty() {
        let page = SearchPage {
            c: ctx.finish(ctx.m("search.title")),
            q,
            summary: String::new(),
            hits: Vec::new(),
            facets: Vec::new(),
            active: Vec::new(),
            previous: None,
            next: None,
            recommend_href,
        };
        return Ok(html(StatusCode::OK, &page));
    }
    let page_number: usize = ctx
        .params
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let mut filter = serde_json::Map::new();
    for (param, field) in FILTERS {
        let values: Vec<Value> = ctx
            .params
            .all(param)
            .into_iter()
            .map(|v| match param {
                "kind" => Value::from(v.to_ascii_uppercase()),
                _ => Value::from(v),
            })
            .collect();
        if !values.is_empty() {
            filter.insert(field.to_string(), Value::Array(values));
        }
    }
    let offset = (page_number - 1) * PAGE_SIZE;
    let variables = json!({
        "query": q,
        "filter": filter,
        "first": PAGE_SIZE,
        "after": (offset > 0).then(|| search_cursor(offset)),
    });
    let data: Data = ctx.run(document!("search"), variables).await?;

    let mut names: Vec<(String, String)> = Vec::new();
    for named in data
        .strategies
        .iter()
        .chain(&data.dimensions)
        .chain(&data.regions.nodes().collect::<Vec<_>>())
    {
        names.push((named.slug.clone(), named.name.of(lang)));
    }
    let label_of = |field: &str, value: &str| -> String {
        if field == "kind" {
            return PageKind::message_of_entry(value)
                .map(|message| ctx.m(&message))
                .unwrap_or_else(|| value.to_string());
        }
        names
            .iter()
            .find(|(slug, _)| slug == value)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| value.to_string())
    };

    let hits = data
        .search
        .hits
        .into_iter()
        .filter_map(|hit| {
            let (href, kind) = PageKind::place_of_hit(lang, &hit.kind, &hit.slug)?;
            // Highlights in the page's language first; the other language when only it matched.
            let mut highlights = hit.highlights;
            highlights.sort_by_key(|h| h.lang.to_ascii_lowercase() != lang.code());
            Some(HitView {
                href,
                kind: ctx.m(&kind),
                title: hit.title.of(lang),
                snippets: highlights
                    .iter()
                    .take(2)
                    .map(|h| marks_only(&h.html))
                    .collect(),
            })
        })
        .collect();

    let facets = FILTERS
        .iter()
        .filter_map(|(param, _)| {
            let facet = data.search.facets.iter().find(|f| f.field == *param)?;
            let chosen = ctx.params.all(param);
            Some(FacetView {
                heading: ctx.m(&format!("search.facet_{param}")),
                values: facet
                    .values
                    .iter()
                    .filter(|v| v.count > 0)
                    .map(|v| FacetLink {
                        href: ctx.params.with(param, Some(&v.value)),
                        label: label_of(param, &v.value),
                        count: v.count,
                        active: chosen.contains(&v.value.as_str()),
                    })
                    .collect(),
            })
        })
        .filter(|f: &FacetView| !f.values.is_empty())
        .collect();

    let active = FILTERS
        .iter()
        .flat_map(|(param, _)| {
            ctx.params
                .all(param)
                .into_iter()
                .map(|value| Link::new(ctx.params.removing(param, value), label_of(param, value)))
                .collect::<Vec<_>>()
        })
        .collect();

    let total = data.search.total_count;
    let summary = ctx
        .m("search.summary")
        .replace("{total}", &total.to_string())
        .replace("{q}", &q);
    let previous = data.search.page_info.has_previous_page.then(|| {
        ctx.params
            .with("page", Some(&(page_number - 1).to_string()))
    });
    let next = data.search.page_info.has_next_page.then(|| {
        ctx.params
            .with("page", Some(&(page_number + 1).to_string()))
    });
    let title = format!("{} · {q}", ctx.m("search.title"));
    let page = SearchPage {
        c: ctx.finish(title),
        q,
        summary,
        hits,
        facets,
        active,
        previous,
        next,
        recommend_href,
    };
    Ok(html(StatusCode::OK, &page))
}
