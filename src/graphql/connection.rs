//! Relay connections: their page arguments (`first`/`after`, `last`/`before`, `orderBy`), their
//! cost for the complexity limit, and a page of rows as a `Connection` with opaque cursors.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Enum, InputObject, Object, OutputType, Result, ResultExt};

use super::id::Cursor;
use crate::catalog::{self, Page, Table, TotalCount};
use crate::domain::{Order, OrderField, PageRequest, PageSize};

pub struct ConnectionTotals {
    total_count: TotalCount,
}

#[Object]
impl ConnectionTotals {
    /// How many records match the filter, on all pages.
    async fn total_count(&self) -> Result<u64> {
        self.total_count.get().await.extend()
    }
}

pub type KbConnection<T> = Connection<String, T, ConnectionTotals>;

/// The cost multiplier of a list field: the page size it asks for (clamped as `PageSize` does,
/// so a refused size does not count as a huge one).
pub(super) fn page_cost(first: Option<i32>, default: usize) -> usize {
    first.map_or(default, |n| n.clamp(1, PageSize::MAX as i32) as usize)
}

/// The cost multiplier of a connection read either way (`first` or `last`).
pub(super) fn connection_cost(first: Option<i32>, last: Option<i32>) -> usize {
    page_cost(first.or(last), PageSize::DEFAULT as usize)
}

/// What a connection is ordered by; the id breaks ties, in the same direction.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::OrderField")]
pub enum RecordOrderField {
    /// The Chinese title (or name, or label), in the database's collation.
    TitleZh,
    /// The English title (or name, or label).
    TitleEn,
    CreatedAt,
    UpdatedAt,
    /// The order of the knowledge base's files; records created later follow in creation order.
    SourceOrder,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::Direction")]
pub enum OrderDirection {
    #[graphql(name = "ASC")]
    Ascending,
    #[graphql(name = "DESC")]
    Descending,
}

/// The order of a connection, as GitHub's API spells it: `{field: UPDATED_AT, direction: DESC}`.
/// Without it a connection is in `SOURCE_ORDER`, ascending.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct RecordOrder {
    field: RecordOrderField,
    #[graphql(default_with = "OrderDirection::Ascending")]
    direction: OrderDirection,
}

impl From<Option<RecordOrder>> for Order {
    fn from(order: Option<RecordOrder>) -> Order {
        order.map_or_else(Order::default, |order| Order {
            field: order.field.into(),
            direction: order.direction.into(),
        })
    }
}

/// A page from a connection's Relay arguments (`first`/`after` forward, `last`/`before`
/// backward) and its order.
pub(super) fn page_request(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    order_by: Option<RecordOrder>,
) -> Result<PageRequest> {
    let order = Order::from(order_by);
    let position = |raw: Option<String>, argument| {
        raw.map(|raw| Cursor::decode(&raw, argument, order.field).map(|cursor| cursor.position))
            .transpose()
    };
    let after = position(after, "after").extend()?;
    let before = position(before, "before").extend()?;
    PageRequest::from_arguments(first, after, last, before, order).extend()
}

pub(super) fn connection<E: Table, T: OutputType + From<E::Model>>(
    field: OrderField,
    page: Page<E::Model>,
) -> KbConnection<T> {
    let mut connection = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ConnectionTotals {
            total_count: page.total_count,
        },
    );
    connection.edges = page
        .items
        .into_iter()
        .map(|row| {
            let cursor = Cursor {
                field,
                position: catalog::position::<E>(field, &row),
            };
            Edge::new(cursor.encode(), T::from(row))
        })
        .collect();
    connection
}
