//! The one vocabulary of record kinds: what each kind is called in the database, in the API and
//! in the knowledge-base files. Every other name of a kind is derived from this table.

use crate::error::AppError;

macro_rules! record_kinds {
    ($($(#[$doc:meta])* $Kind:ident => $name:literal, $type_name:literal, $stem:expr;)*) => {
        /// The kinds of rows the service names: the knowledge records, their citations and
        /// actors, and the revisions of edits.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RecordKind {
            $($(#[$doc])* $Kind,)*
        }

        impl RecordKind {
            pub const ALL: [RecordKind; [$($name),*].len()] = [$(RecordKind::$Kind),*];

            /// The kind's name wherever it is stored or sent as text: `citations.entity_type`,
            /// `aliases.entity_type`, the change log, revisions, search documents and facets.
            pub fn name(self) -> &'static str {
                match self { $(RecordKind::$Kind => $name,)* }
            }

            /// The GraphQL type of its rows, the name global IDs carry.
            pub fn type_name(self) -> &'static str {
                match self { $(RecordKind::$Kind => $type_name,)* }
            }

            /// The file stem its entries are loaded from and exported to (`cases.yaml`):
            /// none for the rows that are written as part of another entry.
            pub fn file_stem(self) -> Option<&'static str> {
                match self { $(RecordKind::$Kind => $stem,)* }
            }
        }
    };
}

record_kinds! {
    Case => "case", "Case", Some("cases");
    Measure => "measure", "Measure", Some("measures");
    Cause => "cause", "Cause", Some("causes");
    Strategy => "strategy", "Strategy", Some("strategies");
    Dimension => "dimension", "Dimension", Some("dimensions");
    Region => "region", "Region", Some("regions");
    Statistic => "statistic", "Statistic", Some("statistics");
    /// A Chinese policy term with its English rendering.
    GlossaryTerm => "glossary", "GlossaryTerm", Some("glossary");
    Source => "source", "Source", Some("sources");
    /// A region's indicator (written inside its region's entry).
    Indicator => "indicator", "Indicator", None;
    /// A record's citation of a source (written inside the record's entry).
    Citation => "citation", "Citation", None;
    /// A person or organisation a case names (written inside the case's entry).
    Actor => "actor", "Actor", None;
    /// One edit of a record, kept for history and undo.
    Revision => "revision", "Revision", None;
}

impl RecordKind {
    /// The kinds whose records have aliases: the other words planners use for them.
    pub const ALIASED: [RecordKind; 5] = [
        RecordKind::Dimension,
        RecordKind::Cause,
        RecordKind::Strategy,
        RecordKind::Measure,
        RecordKind::GlossaryTerm,
    ];

    /// The kind named `name` (see [`RecordKind::name`]).
    pub fn parse(name: &str) -> Result<RecordKind, AppError> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| AppError::bad_input(format!("unknown kind '{name}'")))
    }

    /// The kind whose entries a file with this stem holds.
    pub fn of_file_stem(stem: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .find(|kind| kind.file_stem() == Some(stem))
    }

    /// Every file stem, in load order.
    pub fn file_stems() -> impl Iterator<Item = &'static str> {
        RecordKind::ALL
            .into_iter()
            .filter_map(RecordKind::file_stem)
    }

    /// The kind's name in a sentence ("glossary term").
    pub fn label(self) -> &'static str {
        match self {
            RecordKind::GlossaryTerm => "glossary term",
            kind => kind.name(),
        }
    }

    /// Whether a global ID may name a row of this kind: actors are reached through their case.
    pub fn is_node(self) -> bool {
        self != RecordKind::Actor
    }
}

/// The kinds of records that have a search document, an edit history and changes of their own:
/// a subset of [`RecordKind`] as a type, so that a function over records cannot be handed a
/// citation or a revision. It has no names of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    Case,
    Measure,
    Cause,
    Strategy,
    Dimension,
    Region,
    Statistic,
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

    pub fn record(self) -> RecordKind {
        match self {
            EntryKind::Case => RecordKind::Case,
            EntryKind::Measure => RecordKind::Measure,
            EntryKind::Cause => RecordKind::Cause,
            EntryKind::Strategy => RecordKind::Strategy,
            EntryKind::Dimension => RecordKind::Dimension,
            EntryKind::Region => RecordKind::Region,
            EntryKind::Statistic => RecordKind::Statistic,
            EntryKind::Glossary => RecordKind::GlossaryTerm,
        }
    }

    /// The record kind's name.
    pub fn as_str(self) -> &'static str {
        self.record().name()
    }

    /// The entry kind of `kind`, when it is one.
    pub fn of(kind: RecordKind) -> Option<EntryKind> {
        EntryKind::ALL
            .into_iter()
            .find(|entry| entry.record() == kind)
    }

    /// The entry kind named `name`.
    pub fn parse(name: &str) -> Result<EntryKind, AppError> {
        let kind = RecordKind::parse(name)?;
        EntryKind::of(kind)
            .ok_or_else(|| AppError::bad_input(format!("a {} is not a record", kind.label())))
    }
}

impl From<EntryKind> for RecordKind {
    fn from(kind: EntryKind) -> RecordKind {
        kind.record()
    }
}

#[cfg(test)]
mod tests {
    use super::{EntryKind, RecordKind};

    #[test]
    fn names_type_names_and_file_stems_are_unique_and_round_trip() {
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.name()).unwrap(), kind);
            let same_type = RecordKind::ALL
                .into_iter()
                .filter(|other| other.type_name() == kind.type_name());
            assert_eq!(same_type.count(), 1, "{kind:?}");
            if let Some(stem) = kind.file_stem() {
                assert_eq!(RecordKind::of_file_stem(stem), Some(kind));
            }
        }
        assert!(RecordKind::parse("glossary-term").is_err());
    }

    #[test]
    fn entry_kinds_are_the_records_with_a_file_of_their_own_but_sources() {
        for kind in RecordKind::ALL {
            let entry = EntryKind::of(kind);
            assert_eq!(
                entry.is_some(),
                kind.file_stem().is_some() && kind != RecordKind::Source,
                "{kind:?}"
            );
            if let Some(entry) = entry {
                assert_eq!(EntryKind::parse(kind.name()).unwrap(), entry);
                assert_eq!(RecordKind::from(entry), kind);
            }
        }
        assert!(EntryKind::parse("citation").is_err());
    }

    #[test]
    fn order_of_entry_kinds_follows_record_kinds() {
        // Lists sorted by kind (facets, CLI output) keep one order whichever type sorts them.
        let records: Vec<RecordKind> = EntryKind::ALL.iter().map(|k| k.record()).collect();
        let mut sorted = records.clone();
        sorted.sort();
        assert_eq!(records, sorted);
    }
}
