//! The evidence matrix: causes (grouped, with their survey share) x the five prongs, as a
//! heatmap of counts whose gaps are written out; a cell links to its measures and cases.

use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::data::{
    record_link, region_choices, share, Choice, Connection, Figure, Named, PageKind, RegionRow,
};
use super::{document, html, Chrome, Ctx, Link, PageResult};
use crate::web::i18n::Lang;
use crate::web::params::Params;

#[derive(Template)]
#[template(path = "matrix.html")]
struct MatrixPage {
    c: Chrome,
    regions: Vec<Choice>,
    mx: MatrixView,
}

/// The matrix as the pages draw it (also on region pages).
pub struct MatrixView {
    pub prongs: Vec<Link>,
    pub rows: Vec<MatrixRow>,
    pub gap_count: u64,
    /// The cell the URL opened (`cause` and `strategy`), with its measures and cases.
    pub selected: Option<SelectedCell>,
}

pub struct MatrixRow {
    pub cause: Link,
    pub is_group: bool,
    pub share: Option<String>,
    pub cells: Vec<MatrixCell>,
}

pub struct MatrixCell {
    pub href: String,
    pub measures: u64,
    pub cases: u64,
    pub gap: bool,
    /// Heat level 0 to 3 (the count is always written too).
    pub heat: u8,
    /// What the cell says to a screen reader and on a phone.
    pub text: String,
    pub selected: bool,
}

pub struct SelectedCell {
    pub title: String,
    pub measures: Vec<Link>,
    pub cases: Vec<Link>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixData {
    strategies: Vec<Named>,
    gap_count: u64,
    rows: Vec<RowData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowData {
    is_group: bool,
    cause: CauseData,
    cells: Vec<CellData>,
}

#[derive(Deserialize)]
struct CauseData {
    slug: String,
    name: super::data::Text,
    statistics: Vec<Figure>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CellData {
    strategy: Slug,
    measure_count: u64,
    case_count: u64,
    gap: bool,
    measures: Vec<Named>,
    cases: Vec<Named>,
}

#[derive(Deserialize)]
struct Slug {
    slug: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    evidence_matrix: MatrixData,
    regions: Connection<RegionRow>,
}

/// Builds the view; cells link to `base` (the matrix page, region kept) with the cell chosen.
pub fn view(lang: Lang, data: MatrixData, base: &str, params: &Params) -> MatrixView {
    let messages = lang.messages();
    let chosen = (params.get("cause"), params.get("strategy"));
    let names: Vec<(String, String)> = data
        .strategies
        .iter()
        .map(|s| (s.slug.clone(), s.name.of(lang)))
        .collect();
    let mut selected = None;
    let rows = data
        .rows
        .into_iter()
        .map(|row| {
            let cause_name = row.cause.name.of(lang);
            let cells = row
                .cells
                .into_iter()
                .map(|cell| {
                    let here = chosen
                        == (
                            Some(row.cause.slug.as_str()),
                            Some(cell.strategy.slug.as_str()),
                        );
                    let prong = names
                        .iter()
                        .find(|(slug, _)| *slug == cell.strategy.slug)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_default();
                    if here {
                        selected = Some(SelectedCell {
                            title: format!("{cause_name} × {prong}"),
                            measures: cell
                                .measures
                                .iter()
                                .map(|m| record_link(lang, PageKind::Measure, m))
                                .collect(),
                            cases: cell
                                .cases
                                .iter()
                                .map(|c| record_link(lang, PageKind::Case, c))
                                .collect(),
                        });
                    }
                    let text = if cell.gap {
                        messages.get("matrix.gap")
                    } else {
                        messages
                            .get("matrix.cell")
                            .replace("{measures}", &cell.measure_count.to_string())
                            .replace("{cases}", &cell.case_count.to_string())
                    };
                    let mut pairs = params.with("cause", Some(&row.cause.slug));
                    pairs = Params::parse(pairs.trim_start_matches('?'))
                        .with("strategy", Some(&cell.strategy.slug));
                    MatrixCell {
                        href: format!("{base}{pairs}#cell"),
                        measures: cell.measure_count,
                        cases: cell.case_count,
                        gap: cell.gap,
                        heat: match cell.measure_count + cell.case_count {
                            0 => 0,
                            1..=2 => 1,
                            3..=5 => 2,
                            _ => 3,
                        },
                        text: format!("{prong}: {text}"),
                        selected: here,
                    }
                })
                .collect();
            MatrixRow {
                cause: Link::new(
                    format!("/{}/cause/{}", lang.code(), row.cause.slug),
                    cause_name,
                ),
                is_group: row.is_group,
                share: share(lang, &row.cause.statistics),
                cells,
            }
        })
        .collect();
    MatrixView {
        prongs: data
            .strategies
            .iter()
            .map(|s| record_link(lang, PageKind::Prong, s))
            .collect(),
        rows,
        gap_count: data.gap_count,
        selected,
    }
}

pub async fn matrix(mut ctx: Ctx) -> PageResult {
    let lang = ctx.lang;
    let region = ctx.params.get("region").map(String::from);
    let filter = region.as_ref().map(|r| json!({ "region": r }));
    let data: Data = ctx
        .run(document!("matrix"), json!({ "filter": filter }))
        .await?;
    let regions = region_choices(lang, data.regions.nodes().collect(), region.as_deref());
    let mx = view(lang, data.evidence_matrix, &ctx.href("matrix"), &ctx.params);
    let page = MatrixPage {
        regions,
        mx,
        c: ctx.finish(ctx.m("matrix.title")),
    };
    Ok(html(StatusCode::OK, &page))
}
