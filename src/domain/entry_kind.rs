use crate::error::AppError;

/// The kinds of records search returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    Case,
    Measure,
    Cause,
    Strategy,
    Dimension,
    Region,
    Statistic,
    /// A glossary term (its term, pinyin, rendering and aliases are its names).
    Glossary,
}

impl EntryKind {
    pub const ALL: [EntryKind; 8] = [
        EntryKind::Case,
        EntryKind::Measure,
        EntryKind::Cause,
        EntryKind::Strategy,
        EntryKind::Dimension,
        EntryKind::Region,
        EntryKind::Statistic,
        EntryKind::Glossary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Case => "case",
            EntryKind::Measure => "measure",
            EntryKind::Cause => "cause",
            EntryKind::Strategy => "strategy",
            EntryKind::Dimension => "dimension",
            EntryKind::Region => "region",
            EntryKind::Statistic => "statistic",
            EntryKind::Glossary => "glossary",
        }
    }

    pub fn parse(raw: &str) -> Result<EntryKind, AppError> {
        EntryKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| AppError::bad_input(format!("unknown kind '{raw}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::EntryKind;

    #[test]
    fn kinds_round_trip() {
        for kind in EntryKind::ALL {
            assert_eq!(EntryKind::parse(kind.as_str()).unwrap(), kind);
        }
        assert!(EntryKind::parse("glossary-term").is_err());
    }
}
