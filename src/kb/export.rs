//! Writing a knowledge base out as files: JSON in the import format (a lossless round trip), or
//! CSV for spreadsheets (one file per type, plus `indicators.csv` and `citations.csv`; link
//! rationales are left out, so CSV is for reading, not for importing back).

use serde::Serialize;
use serde_json::{Map, Value};

use super::format::KnowledgeBase;
use crate::domain::RecordKind;

/// A file to write: its name and contents.
pub struct ExportFile {
    pub name: String,
    pub contents: String,
}

/// A CSV row: (column, value) pairs in column order.
type Row = Vec<(String, String)>;

fn entries<T: Serialize>(items: &[T]) -> Vec<Value> {
    items
        .iter()
        .map(|item| serde_json::to_value(item).unwrap_or(Value::Null))
        .collect()
}

/// The entries of each type, by file stem, as JSON values.
fn by_type(kb: &KnowledgeBase) -> Vec<(&'static str, Vec<Value>)> {
    let kinds = [
        (RecordKind::Source, entries(&kb.sources)),
        (RecordKind::Region, entries(&kb.regions)),
        (RecordKind::Dimension, entries(&kb.dimensions)),
        (RecordKind::Cause, entries(&kb.causes)),
        (RecordKind::Strategy, entries(&kb.strategies)),
        (RecordKind::Measure, entries(&kb.measures)),
        (RecordKind::Case, entries(&kb.cases)),
        (RecordKind::Statistic, entries(&kb.statistics)),
        (RecordKind::GlossaryTerm, entries(&kb.glossary)),
    ];
    kinds
        .into_iter()
        .map(|(kind, entries)| (stem(kind), entries))
        .collect()
}

/// The stem of the file that holds entries of `kind`.
fn stem(kind: RecordKind) -> &'static str {
    kind.file_stem().unwrap_or(kind.name())
}

/// One pretty JSON file per type, importable as it is.
pub fn json_files(kb: &KnowledgeBase) -> Result<Vec<ExportFile>, serde_json::Error> {
    by_type(kb)
        .into_iter()
        .map(|(stem, entries)| {
            Ok(ExportFile {
                name: format!("{stem}.json"),
                contents: serde_json::to_string_pretty(&entries)? + "\n",
            })
        })
        .collect()
}

/// One CSV file per type, with nested texts as `field.zh`/`field.en` columns and link lists as
/// `; `-separated slugs; indicators and citations get files of their own.
pub fn csv_files(kb: &KnowledgeBase) -> Result<Vec<ExportFile>, csv::Error> {
    let mut tables: Vec<(String, Vec<Row>)> = Vec::new();
    let mut indicators = Vec::new();
    let mut citations = Vec::new();
    for (stem, entries) in by_type(kb) {
        let mut rows = Vec::new();
        for mut entry in entries {
            let Value::Object(fields) = &mut entry else {
                continue;
            };
            let slug = fields
                .get("slug")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            take_citations(fields, stem, &slug, &mut citations);
            if let Some(Value::Array(nested)) = fields.remove("indicators") {
                for mut indicator in nested {
                    if let Value::Object(indicator_fields) = &mut indicator {
                        let indicator_slug = indicator_fields
                            .get("slug")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        take_citations(
                            indicator_fields,
                            "indicators",
                            &indicator_slug,
                            &mut citations,
                        );
                        let mut row = vec![("region".to_string(), slug.clone())];
                        flatten("", &indicator, &mut row);
                        indicators.push(row);
                    }
                }
            }
            let mut row = Vec::new();
            flatten("", &entry, &mut row);
            rows.push(row);
        }
        tables.push((stem.to_string(), rows));
    }
    tables.push(("indicators".to_string(), indicators));
    tables.push(("citations".to_string(), citations));
    tables
        .into_iter()
        .map(|(stem, rows)| {
            Ok(ExportFile {
                name: format!("{stem}.csv"),
                contents: to_csv(&rows)?,
            })
        })
        .collect()
}

fn take_citations(fields: &mut Map<String, Value>, stem: &str, slug: &str, out: &mut Vec<Row>) {
    if let Some(Value::Array(list)) = fields.remove("citations") {
        for citation in list {
            let mut row = vec![
                ("type".to_string(), stem.to_string()),
                ("entry".to_string(), slug.to_string()),
            ];
            flatten("", &citation, &mut row);
            out.push(row);
        }
    }
}

fn flatten(prefix: &str, value: &Value, row: &mut Row) {
    let key = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    match value {
        // A link with its provenance (a statistic's cause or dimension).
        Value::Object(fields) if !prefix.is_empty() && fields.contains_key("slug") => {
            row.push((prefix.to_string(), linked(value)));
        }
        Value::Object(fields) => {
            for (name, value) in fields {
                flatten(&key(name), value, row);
            }
        }
        // Link lists: the slugs, each marked stated or inferred when the file says.
        Value::Array(items) => {
            let slugs: Vec<String> = items.iter().map(linked).collect();
            row.push((prefix.to_string(), slugs.join("; ")));
        }
        Value::Null => row.push((prefix.to_string(), String::new())),
        Value::String(text) => row.push((prefix.to_string(), text.clone())),
        other => row.push((prefix.to_string(), other.to_string())),
    }
}

/// A link as a spreadsheet shows it: `slug`, `slug (stated)` or `slug (inferred)`.
fn linked(item: &Value) -> String {
    let slug = item
        .get("slug")
        .and_then(Value::as_str)
        .or(item.as_str())
        .unwrap_or_default();
    if item.get("citation").is_some() {
        format!("{slug} (stated)")
    } else if item.get("rationale").is_some() {
        format!("{slug} (inferred)")
    } else {
        slug.to_string()
    }
}

/// Rows with possibly different columns become one table whose header is every column in the
/// order first seen.
fn to_csv(rows: &[Row]) -> Result<String, csv::Error> {
    let mut header: Vec<&str> = Vec::new();
    for row in rows {
        for (column, _) in row {
            if !header.contains(&column.as_str()) {
                header.push(column);
            }
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header)?;
    for row in rows {
        writer.write_record(header.iter().map(|column| {
            row.iter()
                .find(|(c, _)| c == column)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        }))?;
    }
    let bytes = writer.into_inner().map_err(|err| err.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The JSON Schema of each file type, as `<type>.schema.json` (what `data/kb/schema/` holds).
pub fn schema_files() -> Result<Vec<ExportFile>, serde_json::Error> {
    use super::format::*;
    let schemas = [
        (RecordKind::Source, schemars::schema_for!(Vec<SourceEntry>)),
        (RecordKind::Region, schemars::schema_for!(Vec<RegionEntry>)),
        (
            RecordKind::Dimension,
            schemars::schema_for!(Vec<DimensionEntry>),
        ),
        (RecordKind::Cause, schemars::schema_for!(Vec<CauseEntry>)),
        (
            RecordKind::Strategy,
            schemars::schema_for!(Vec<StrategyEntry>),
        ),
        (
            RecordKind::Measure,
            schemars::schema_for!(Vec<MeasureEntry>),
        ),
        (RecordKind::Case, schemars::schema_for!(Vec<CaseEntry>)),
        (
            RecordKind::Statistic,
            schemars::schema_for!(Vec<StatisticEntry>),
        ),
        (
            RecordKind::GlossaryTerm,
            schemars::schema_for!(Vec<GlossaryEntry>),
        ),
    ];
    schemas
        .into_iter()
        .map(|(kind, schema)| {
            Ok(ExportFile {
                name: format!("{}.schema.json", stem(kind)),
                contents: serde_json::to_string_pretty(&schema)? + "\n",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_json_schema_matches_the_format() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/kb/schema");
        for file in schema_files().unwrap() {
            let committed = std::fs::read_to_string(dir.join(&file.name)).unwrap_or_default();
            assert!(committed == file.contents, "data/kb/schema/{} is out of date: run `policy-kb export --format schema --out data/kb/schema`", file.name);
        }
    }

    #[test]
    fn csv_flattens_texts_and_links() {
        let yaml = "- slug: a-case\n  title: {zh: 甲, en: \"A, with comma\"}\n  measures: [m-one, {slug: m-two, rationale: {zh: 因, en: why}}, {slug: m-three, citation: 0}]\n  citations: [{section: {zh: 一, en: '1'}, excerpt: {zh: 摘, en: quote}}]\n";
        let (kb, _) = KnowledgeBase::parse([("cases.yaml", yaml)]).unwrap();
        let files = csv_files(&kb).unwrap();
        let cases = &files
            .iter()
            .find(|f| f.name == "cases.csv")
            .unwrap()
            .contents;
        assert_eq!(
            cases,
            "slug,title.zh,title.en,measures\na-case,甲,\"A, with comma\",m-one; m-two (inferred); m-three (stated)\n"
        );
        let citations = &files
            .iter()
            .find(|f| f.name == "citations.csv")
            .unwrap()
            .contents;
        assert!(citations.starts_with("type,entry,section.zh,section.en,excerpt.zh,excerpt.en\ncases,a-case,一,1,摘,quote"), "{citations}");
    }
}
