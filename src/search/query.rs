//! What a planner types, read leniently: words, "quoted phrases" (Chinese too) and -exclusions.
//! Unbalanced quotes, lone operators, punctuation, emoji and full-width characters never make
//! an error; they are read as well as they can be.

use crate::error::AppError;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// One unit of a query: a word (or an unsegmented run of Chinese) or an exact phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Words(String),
    Phrase(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserQuery {
    pub wanted: Vec<Part>,
    pub excluded: Vec<Part>,
}

/// The text's normal form (`super::normalise`: half-width, simplified, case-folded), with curly
/// or corner quotes read as ", so that a query typed with a Chinese input method reads the same.
fn normalise(raw: &str) -> String {
    super::normalise::normalise(raw)
        .chars()
        .map(|c| match c {
            '“' | '”' | '「' | '」' | '『' | '』' | '„' => '"',
            _ => c,
        })
        .collect()
}

impl UserQuery {
    /// The wanted words and phrases as one text (what a query that names a record names).
    pub fn wanted_text(&self) -> String {
        self.wanted
            .iter()
            .map(|part| match part {
                Part::Words(text) | Part::Phrase(text) => text.as_str(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn parse(raw: &str) -> Result<UserQuery, AppError> {
        let count = raw.chars().count();
        if count > MAX_QUERY_CHARS {
            return Err(AppError::bad_field(
                "query",
                format!("the query has {count} characters; at most {MAX_QUERY_CHARS} are searched"),
            ));
        }
        let text = normalise(raw);
        let mut query = UserQuery::default();
        let mut rest = text.as_str();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            let negated = rest.starts_with('-')
                && rest.len() > 1
                && !rest[1..].starts_with(char::is_whitespace);
            let body = if negated { &rest[1..] } else { rest };
            let (part, remainder) = if let Some(inner) = body.strip_prefix('"') {
                match inner.find('"') {
                    Some(end) => (
                        Part::Phrase(inner[..end].trim().to_string()),
                        &inner[end + 1..],
                    ),
                    // An unbalanced quote: the rest is plain words.
                    None => (Part::Words(inner.trim().to_string()), ""),
                }
            } else {
                let end = body
                    .find(|c: char| c.is_whitespace() || c == '"')
                    .unwrap_or(body.len());
                let end = if end == 0 {
                    body.chars().next().map(char::len_utf8).unwrap_or(0)
                } else {
                    end
                };
                (Part::Words(body[..end].to_string()), &body[end..])
            };
            rest = remainder;
            let meaningful = match &part {
                Part::Words(w) | Part::Phrase(w) => w.chars().any(char::is_alphanumeric),
            };
            if meaningful {
                if negated {
                    query.excluded.push(part);
                } else {
                    query.wanted.push(part);
                }
            }
        }
        Ok(query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Part {
        Part::Words(s.into())
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let q = UserQuery::parse(r#"drinking water "one chicken" -Fengdu 饮水"#).unwrap();
        assert_eq!(
            q.wanted,
            [
                words("drinking"),
                words("water"),
                Part::Phrase("one chicken".into()),
                words("饮水")
            ]
        );
        assert_eq!(q.excluded, [words("fengdu")]);
    }

    #[test]
    fn chinese_quotes_and_full_width_text() {
        let q = UserQuery::parse("“一只鸡” －丰都　ＡＢＣ").unwrap();
        assert_eq!(q.wanted, [Part::Phrase("一只鸡".into()), words("abc")]);
        assert_eq!(q.excluded, [words("丰都")]);
    }

    #[test]
    fn traditional_characters_read_as_simplified() {
        let q = UserQuery::parse("飲水協會 -控輟保學").unwrap();
        assert_eq!(q.wanted, [words("饮水协会")]);
        assert_eq!(q.excluded, [words("控辍保学")]);
    }

    #[test]
    fn whatever_is_typed_parses() {
        for raw in [
            "\"unbalanced",
            "-",
            "- -",
            "\"\"",
            "!!! ???",
            "🐔🐔",
            "--x",
            "\"a\" \"",
            "   ",
            "-\"",
            "a-b c--d",
            "ｰ",
        ] {
            assert!(UserQuery::parse(raw).is_ok(), "{raw:?}");
        }
        assert_eq!(
            UserQuery::parse("\"unbalanced words").unwrap().wanted,
            [words("unbalanced words")]
        );
        assert!(UserQuery::parse("🐔 !!!").unwrap().wanted.is_empty());
    }

    #[test]
    fn an_overlong_query_is_bad_input() {
        let long = "贫".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            UserQuery::parse(&long).unwrap_err().code(),
            crate::error::ErrorCode::BadUserInput
        );
        assert!(UserQuery::parse(&"贫".repeat(MAX_QUERY_CHARS)).is_ok());
    }
}
