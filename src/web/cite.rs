//! "Cite this": a record of the knowledge base as a reference, in GB/T 7714-2015 (the Chinese
//! standard, an online database `[DB/OL]`) and in APA (7th edition, a data set).

use super::i18n::Lang;

pub struct Reference<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub version: i32,
    /// The day of the last change, `YYYY-MM-DD`, when the record has a history.
    pub updated: Option<&'a str>,
    /// Today, `YYYY-MM-DD`.
    pub accessed: &'a str,
}

const PUBLISHER: &str = "policy-kb";

/// `policy-kb. 题名[DB/OL]. 版本 3. (2026-11-29)[2026-11-30]. http://...`
pub fn gbt7714(reference: &Reference, lang: Lang) -> String {
    let version = match lang {
        Lang::Zh => format!("版本 {}", reference.version),
        Lang::En => format!("Version {}", reference.version),
    };
    let updated = reference
        .updated
        .map(|day| format!("({day})"))
        .unwrap_or_default();
    format!(
        "{PUBLISHER}. {}[DB/OL]. {version}. {updated}[{}]. {}.",
        reference.title, reference.accessed, reference.url
    )
}

/// `policy-kb. (2026, November 29). Title (Version 3) [Data set]. Retrieved ..., from URL`
pub fn apa(reference: &Reference) -> String {
    let date = reference
        .updated
        .and_then(long_date)
        .map(|(year, month, day)| format!("{year}, {month} {day}"))
        .unwrap_or_else(|| "n.d.".to_string());
    let accessed = long_date(reference.accessed)
        .map(|(year, month, day)| format!("{month} {day}, {year}"))
        .unwrap_or_else(|| reference.accessed.to_string());
    format!(
        "{PUBLISHER}. ({date}). {} (Version {}) [Data set]. Retrieved {accessed}, from {}",
        reference.title, reference.version, reference.url
    )
}

/// `2026-11-29` (or a timestamp of that day) -> (2026, "November", 29).
fn long_date(day: &str) -> Option<(i32, &'static str, u32)> {
    let day = crate::domain::IsoDate::of_timestamp(day)?;
    Some((day.year(), day.month_name(), day.day()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(updated: Option<&'static str>) -> Reference<'static> {
        Reference {
            title: "以“志智双扶”激发内生动力",
            url: "http://127.0.0.1:8080/zh/measure/x",
            version: 2,
            updated,
            accessed: "2026-11-30",
        }
    }

    #[test]
    fn gbt7714_names_the_type_the_dates_and_the_address() {
        assert_eq!(
            gbt7714(&reference(Some("2026-11-29")), Lang::Zh),
            "policy-kb. 以“志智双扶”激发内生动力[DB/OL]. 版本 2. (2026-11-29)[2026-11-30]. http://127.0.0.1:8080/zh/measure/x."
        );
        assert!(gbt7714(&reference(None), Lang::En).contains("Version 2. [2026-11-30]"));
    }

    #[test]
    fn apa_has_the_date_or_nd_and_when_it_was_retrieved() {
        assert_eq!(
            apa(&reference(Some("2026-11-29T10:00:00Z"))),
            "policy-kb. (2026, November 29). 以“志智双扶”激发内生动力 (Version 2) [Data set]. Retrieved November 30, 2026, from http://127.0.0.1:8080/zh/measure/x"
        );
        assert!(apa(&reference(None)).contains("(n.d.)"));
    }
}
