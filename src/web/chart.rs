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

/// Narrow, so that the text stays readable when a phone scales the chart down.
const WIDTH: f64 = 360.0;
const LINE: f64 = 18.0;
const BAR: f64 = 16.0;
/// Room on the right of the longest bar for its value.
const VALUE_ROOM: f64 = 70.0;
/// The widths of a 15 px character (the charts' font size), roughly: CJK and full-width, and
/// everything else.
const WIDE: f64 = 15.0;
const NARROW: f64 = 8.0;

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

/// Breaks a label into lines that fit the chart's width (SVG text does not wrap): at spaces in
/// English, anywhere in Chinese.
fn wrap(label: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut width = 0.0;
    let mut last_space = None;
    for c in label.chars() {
        let w = if c.is_ascii() { NARROW } else { WIDE };
        if width + w > WIDTH && !lines.last().unwrap().is_empty() {
            let line = lines.last_mut().unwrap();
            let carried = match last_space {
                Some(at) if c != ' ' => line.split_off(at + 1),
                _ => String::new(),
            };
            width = carried
                .chars()
                .map(|c| if c.is_ascii() { NARROW } else { WIDE })
                .sum();
            lines.push(carried);
            last_space = None;
            if c == ' ' {
                continue;
            }
        }
        let line = lines.last_mut().unwrap();
        if c == ' ' {
            last_space = Some(line.len());
        }
        line.push(c);
        width += w;
    }
    lines
}

fn draw(id: &str, title: &str, description: &str, rows: &[Row], lang: Lang) -> String {
    let labels: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            if row.group.is_empty() {
                wrap(&row.label)
            } else {
                wrap(&format!("{} · {}", row.label, row.group))
            }
        })
        .collect();
    let height: f64 = labels
        .iter()
        .map(|lines| LINE * lines.len() as f64 + BAR + 12.0)
        .sum::<f64>()
        + 4.0;
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
    let mut y = 4.0;
    for (i, (row, lines)) in rows.iter().zip(&labels).enumerate() {
        let width = (row.value / max * track).clamp(0.0, track);
        let class = if i % 2 == 0 { "a" } else { "b" };
        for line in lines {
            y += LINE;
            let _ = write!(
                svg,
                r#"<text x="0" y="{y}" class="l">{}</text>"#,
                escape(line)
            );
        }
        let _ = write!(
            svg,
            r#"<rect x="0" y="{by}" width="{width:.1}" height="{BAR}" class="{class}"/><text x="{vx:.1}" y="{vy}" class="v">{value}</text>"#,
            by = y + 4.0,
            vx = width + 6.0,
            vy = y + 18.0,
            value = escape(&row.shown),
        );
        y += BAR + 12.0;
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
        assert!(chart.svg.contains(r#"width="145.0""#), "{}", chart.svg);
    }

    #[test]
    fn long_labels_wrap_at_spaces_or_anywhere_in_chinese() {
        let english = wrap(&"word ".repeat(30));
        assert!(english.len() > 1);
        assert!(english
            .iter()
            .all(|l| !l.starts_with(' ') && l.len() as f64 * NARROW <= WIDTH + NARROW));
        assert_eq!(english.concat().matches("word").count(), 30);
        let chinese = wrap(&"贫".repeat(40));
        assert_eq!(
            chinese
                .iter()
                .map(|l| l.chars().count())
                .collect::<Vec<_>>(),
            [24, 16]
        );
        assert_eq!(wrap("short"), ["short"]);
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
