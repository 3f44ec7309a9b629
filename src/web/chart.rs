//! Survey figures as horizontal bar charts, drawn on the server as SVG: a title and a
//! description for screen readers, the value written beside every bar, and the same numbers
//! as a table in the page.

use std::fmt::Write;

use super::highlight::escape;
use super::i18n::Lang;

/// One bar.
pub struct Row {
    pub href: String,
    pub label: String,
    /// Who answered (the series), empty when the source does not say.
    pub group: String,
    pub value: f64,
    /// The value as the page writes it, with its unit.
    pub shown: String,
    /// Whether the value is a percentage (bars are then drawn on a 0-100 scale).
    pub percent: bool,
}

pub struct Chart {
    pub id: String,
    pub title: String,
    pub question: String,
    pub groups: String,
    pub sample: String,
    pub rows: Vec<Row>,
    /// The SVG, escaped and ready to include.
    pub svg: String,
}

const WIDTH: f64 = 640.0;
const ROW: f64 = 46.0;
const BAR: f64 = 18.0;
/// Room on the right of the longest bar for its value.
const VALUE_ROOM: f64 = 90.0;

impl Chart {
    pub fn new(
        id: String,
        title: String,
        question: String,
        groups: String,
        sample: String,
        rows: Vec<Row>,
        lang: Lang,
    ) -> Chart {
        let svg = draw(&id, &title, &question, &rows, lang);
        Chart {
            id,
            title,
            question,
            groups,
            sample,
            rows,
            svg,
        }
    }
}

/// The scale: 100 for percentages, else the largest value.
fn scale(rows: &[Row]) -> f64 {
    if rows.iter().all(|r| r.percent) {
        100.0
    } else {
        rows.iter().map(|r| r.value).fold(0.0, f64::max).max(1.0)
    }
}

fn draw(id: &str, title: &str, description: &str, rows: &[Row], lang: Lang) -> String {
    let height = ROW * rows.len() as f64 + 8.0;
    let max = scale(rows);
    let track = WIDTH - VALUE_ROOM;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg" lang="{lang}"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
        lang = lang.html(),
        title = escape(title),
        desc = escape(description),
    );
    for (i, row) in rows.iter().enumerate() {
        let y = ROW * i as f64 + 4.0;
        let width = (row.value / max * track).clamp(0.0, track);
        let label = if row.group.is_empty() {
            row.label.clone()
        } else {
            format!("{} · {}", row.label, row.group)
        };
        let class = if i % 2 == 0 { "a" } else { "b" };
        let _ = write!(
            svg,
            r#"<text x="0" y="{ty}" class="l">{label}</text><rect x="0" y="{by}" width="{width:.1}" height="{BAR}" class="{class}"/><text x="{vx:.1}" y="{vy}" class="v">{value}</text>"#,
            ty = y + 14.0,
            by = y + 20.0,
            vx = width + 6.0,
            vy = y + 34.0,
            label = escape(&label),
            value = escape(&row.shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, value: f64) -> Row {
        Row {
            href: String::new(),
            label: label.to_string(),
            group: "helpers".to_string(),
            value,
            shown: format!("{value}%"),
            percent: true,
        }
    }

    #[test]
    fn a_chart_has_a_title_a_description_and_every_value() {
        let chart = Chart::new(
            "f1".into(),
            "Figure 1".into(),
            "The hardest problems".into(),
            String::new(),
            String::new(),
            vec![row("Weak will", 58.7), row("Half", 50.0)],
            Lang::En,
        );
        assert!(chart.svg.contains(r#"<title id="f1-t">Figure 1</title>"#));
        assert!(chart.svg.contains("The hardest problems</desc>"));
        assert!(chart.svg.contains(">58.7%<") && chart.svg.contains(">50%<"));
        // Percentages are drawn on a 0-100 scale.
        assert!(chart.svg.contains(r#"width="275.0""#), "{}", chart.svg);
    }

    #[test]
    fn labels_are_escaped() {
        let chart = Chart::new(
            "x".into(),
            "<script>".into(),
            "a & b".into(),
            String::new(),
            String::new(),
            vec![row("<b>", 1.0)],
            Lang::Zh,
        );
        assert!(!chart.svg.contains("<script>") && !chart.svg.contains("<b>"));
        assert!(chart.svg.contains("a &amp; b"));
    }
}
