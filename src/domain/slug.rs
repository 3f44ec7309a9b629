use std::fmt;

use crate::error::AppError;

/// A stable, URL-safe name of a record: ASCII kebab-case, unique per type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 120;

    /// Accepts lowercase ASCII letters and digits in words joined by single hyphens.
    pub fn parse(raw: &str) -> Result<Slug, AppError> {
        let well_formed = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if well_formed {
            Ok(Slug(raw.to_string()))
        } else {
            Err(AppError::bad_input(format!(
                "'{}' is not a valid slug: use lowercase ASCII letters and digits joined by single hyphens, at most {} characters",
                raw.chars().take(Self::MAX_LEN + 10).collect::<String>(),
                Self::MAX_LEN
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Slug;

    #[test]
    fn kebab_case_slugs_are_accepted() {
        for ok in ["fengdu-one-chicken", "m1", "2019-survey", "a"] {
            assert_eq!(Slug::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn everything_else_is_rejected() {
        let too_long = "a".repeat(Slug::MAX_LEN + 1);
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a_b",
            "a b",
            "养鸡",
            "a/b",
            too_long.as_str(),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
