//! Opaque global IDs (`node(id:)`) and connection cursors. Both are base64url text that
//! clients must not parse; whatever a client sends instead is `BAD_USER_INPUT`.

use async_graphql::connection::CursorType;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::domain::{OrderField, Position, RecordKind};
use crate::error::AppError;

/// A row's identity across the whole API: its type and its database id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalId {
    pub kind: RecordKind,
    pub id: i32,
}

impl GlobalId {
    pub fn new(kind: impl Into<RecordKind>, id: i32) -> Self {
        GlobalId {
            kind: kind.into(),
            id,
        }
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
        let kind = RecordKind::ALL
            .into_iter()
            .find(|kind| kind.is_node() && kind.type_name() == name)
            .ok_or_else(malformed)?;
        let id = id
            .parse::<i32>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(malformed)?;
        Ok(GlobalId { kind, id })
    }
}

/// The place of a row in a connection: the order's field, the row's key in it and its id
/// (keyset pagination). A cursor is only valid in a list ordered by the same field (in either
/// direction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub field: OrderField,
    pub position: Position,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let Position { key, id } = &self.position;
        let text = match key {
            Some(key) => format!("{}:{id}:{key}", self.field.as_str()),
            None => format!("{}:{id}", self.field.as_str()),
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    /// The cursor a client sent as `argument` (`after` or `before`) to a list in `order`.
    pub fn decode(raw: &str, argument: &str, field: OrderField) -> Result<Cursor, AppError> {
        let malformed = || {
            AppError::bad_field(
                argument,
                format!("'{}' is not a valid cursor", truncate(raw)),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| malformed())?;
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        let mut parts = text.splitn(3, ':');
        let named = parts
            .next()
            .and_then(OrderField::parse)
            .ok_or_else(malformed)?;
        let id = parts
            .next()
            .and_then(|id| id.parse::<i32>().ok())
            .ok_or_else(malformed)?;
        let key = parts.next().map(str::to_string);
        if key.is_some() != (named != OrderField::SourceOrder) {
            return Err(malformed());
        }
        if named != field {
            return Err(AppError::bad_field(
                argument,
                "this cursor comes from the same list in another order: start again from the first page",
            ));
        }
        Ok(Cursor {
            field,
            position: Position { key, id },
        })
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
        for kind in RecordKind::ALL.into_iter().filter(|kind| kind.is_node()) {
            let id = GlobalId::new(kind, 42);
            assert_eq!(GlobalId::decode(&id.encode()).unwrap(), id);
        }
    }

    #[test]
    fn actors_have_no_global_id() {
        let actor = URL_SAFE_NO_PAD.encode("Actor:1");
        assert!(GlobalId::decode(&actor).is_err());
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
        let keyset = Cursor {
            field: OrderField::SourceOrder,
            position: Position { key: None, id: 3 },
        };
        assert!(OffsetCursor::decode_cursor(&keyset.encode()).is_err());
        assert!(
            OffsetCursor::decode_cursor(&OffsetCursor(MAX_SEARCH_OFFSET + 1).encode_cursor())
                .is_err()
        );
    }

    #[test]
    fn cursors_round_trip_in_every_order() {
        for field in OrderField::ALL {
            let key = (field != OrderField::SourceOrder).then(|| "村:a:b".to_string());
            let cursor = Cursor {
                field,
                position: Position { key, id: 7 },
            };
            assert_eq!(
                Cursor::decode(&cursor.encode(), "after", field).unwrap(),
                cursor
            );
        }
    }

    #[test]
    fn cursors_reject_garbage_and_other_orders() {
        let by_title = Cursor {
            field: OrderField::TitleEn,
            position: Position {
                key: Some("A".into()),
                id: 7,
            },
        };
        let keyless = URL_SAFE_NO_PAD.encode("title-en:7");
        for raw in [
            "garbage".to_string(),
            URL_SAFE_NO_PAD.encode("before:3"),
            URL_SAFE_NO_PAD.encode("source-order:x"),
            keyless,
            by_title.encode(),
        ] {
            let err = Cursor::decode(&raw, "before", OrderField::SourceOrder).unwrap_err();
            assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput, "{raw}");
        }
    }
}
