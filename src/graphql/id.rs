//! Opaque global IDs (`node(id:)`) and connection cursors. Both are base64url text that
//! clients must not parse; whatever a client sends instead is `BAD_USER_INPUT`.

use async_graphql::connection::CursorType;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::domain::EntryKind;
use crate::error::AppError;

/// The GraphQL types that implement `Node`, by the name their global IDs carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Source,
    Region,
    Indicator,
    Dimension,
    Cause,
    Strategy,
    Measure,
    Case,
    Statistic,
    Citation,
    GlossaryTerm,
    Revision,
}

impl NodeKind {
    const ALL: [NodeKind; 12] = [
        NodeKind::Source,
        NodeKind::Region,
        NodeKind::Indicator,
        NodeKind::Dimension,
        NodeKind::Cause,
        NodeKind::Strategy,
        NodeKind::Measure,
        NodeKind::Case,
        NodeKind::Statistic,
        NodeKind::Citation,
        NodeKind::GlossaryTerm,
        NodeKind::Revision,
    ];

    pub fn type_name(self) -> &'static str {
        match self {
            NodeKind::Source => "Source",
            NodeKind::Region => "Region",
            NodeKind::Indicator => "Indicator",
            NodeKind::Dimension => "Dimension",
            NodeKind::Cause => "Cause",
            NodeKind::Strategy => "Strategy",
            NodeKind::Measure => "Measure",
            NodeKind::Case => "Case",
            NodeKind::Statistic => "Statistic",
            NodeKind::Citation => "Citation",
            NodeKind::GlossaryTerm => "GlossaryTerm",
            NodeKind::Revision => "Revision",
        }
    }
}

impl From<EntryKind> for NodeKind {
    fn from(kind: EntryKind) -> NodeKind {
        match kind {
            EntryKind::Case => NodeKind::Case,
            EntryKind::Measure => NodeKind::Measure,
            EntryKind::Cause => NodeKind::Cause,
            EntryKind::Strategy => NodeKind::Strategy,
            EntryKind::Dimension => NodeKind::Dimension,
            EntryKind::Region => NodeKind::Region,
            EntryKind::Statistic => NodeKind::Statistic,
            EntryKind::Glossary => NodeKind::GlossaryTerm,
        }
    }
}

impl NodeKind {
    /// The record kind behind this node kind, for the kinds that have one.
    pub fn entry_kind(self) -> Option<EntryKind> {
        EntryKind::ALL
            .into_iter()
            .find(|kind| NodeKind::from(*kind) == self)
    }
}

/// A row's identity across the whole API: its type and its database id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalId {
    pub kind: NodeKind,
    pub id: i32,
}

impl GlobalId {
    pub fn new(kind: NodeKind, id: i32) -> Self {
        GlobalId { kind, id }
    }

    pub fn encode(self) -> async_graphql::ID {
        async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", self.kind.type_name(), self.id)))
    }

    pub fn decode(raw: &str) -> Result<GlobalId, AppError> {
        let malformed =
            || AppError::bad_field("id", format!("'{}' is not a valid node ID", truncate(raw)));
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| malformed())?;
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        let (name, id) = text.split_once(':').ok_or_else(malformed)?;
        let kind = NodeKind::ALL
            .into_iter()
            .find(|kind| kind.type_name() == name)
            .ok_or_else(malformed)?;
        let id = id
            .parse::<i32>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(malformed)?;
        Ok(GlobalId { kind, id })
    }
}

/// The position of a row in a connection: the id of the last row seen (keyset pagination).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor(pub i32);

const CURSOR_PREFIX: &str = "after:";

impl CursorType for Cursor {
    type Error = AppError;

    fn decode_cursor(raw: &str) -> Result<Self, Self::Error> {
        let malformed = || {
            AppError::bad_field(
                "after",
                format!("'{}' is not a valid cursor", truncate(raw)),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| malformed())?;
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        let id = text
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|id| id.parse::<i32>().ok())
            .ok_or_else(malformed)?;
        Ok(Cursor(id))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{}", self.0))
    }
}

/// The position in a list of search hits: how many hits come before the next page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OffsetCursor(pub usize);

const OFFSET_PREFIX: &str = "hit:";

impl CursorType for OffsetCursor {
    type Error = AppError;

    fn decode_cursor(raw: &str) -> Result<Self, Self::Error> {
        let malformed = || {
            AppError::bad_field(
                "after",
                format!("'{}' is not a valid search cursor", truncate(raw)),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| malformed())?;
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        let offset = text
            .strip_prefix(OFFSET_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= MAX_SEARCH_OFFSET)
            .ok_or_else(malformed)?;
        Ok(OffsetCursor(offset))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{OFFSET_PREFIX}{}", self.0))
    }
}

/// The `after` cursor of the search page that starts at `offset` (for the web pages' paging).
pub fn search_cursor(offset: usize) -> String {
    OffsetCursor(offset).encode_cursor()
}

/// Deep paging is what a scraper does, not a planner; it also bounds the work of one search.
pub const MAX_SEARCH_OFFSET: usize = 10_000;

/// Echoing a huge bad input back in an error message helps nobody.
fn truncate(raw: &str) -> String {
    const SHOWN: usize = 64;
    if raw.chars().count() > SHOWN {
        format!("{}...", raw.chars().take(SHOWN).collect::<String>())
    } else {
        raw.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_for_every_kind() {
        for kind in NodeKind::ALL {
            let id = GlobalId::new(kind, 42);
            assert_eq!(GlobalId::decode(&id.encode()).unwrap(), id);
        }
    }

    #[test]
    fn malformed_global_ids_are_bad_input() {
        let unknown_type = URL_SAFE_NO_PAD.encode("Nope:1");
        let negative = URL_SAFE_NO_PAD.encode("Case:-1");
        let no_number = URL_SAFE_NO_PAD.encode("Case:x");
        for raw in [
            "",
            "!!!",
            "Q2FzZToxMg==",
            unknown_type.as_str(),
            negative.as_str(),
            no_number.as_str(),
        ] {
            let err = GlobalId::decode(raw).unwrap_err();
            assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput, "{raw:?}");
        }
    }

    #[test]
    fn offset_cursors_round_trip_and_are_bounded() {
        let cursor = OffsetCursor(30);
        assert_eq!(
            OffsetCursor::decode_cursor(&cursor.encode_cursor()).unwrap(),
            cursor
        );
        assert!(OffsetCursor::decode_cursor(&Cursor(3).encode_cursor()).is_err());
        assert!(
            OffsetCursor::decode_cursor(&OffsetCursor(MAX_SEARCH_OFFSET + 1).encode_cursor())
                .is_err()
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor(7);
        assert_eq!(
            Cursor::decode_cursor(&cursor.encode_cursor()).unwrap(),
            cursor
        );
        assert!(Cursor::decode_cursor("garbage").is_err());
        assert!(Cursor::decode_cursor(&URL_SAFE_NO_PAD.encode("before:3")).is_err());
    }
}
