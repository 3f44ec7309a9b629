//! Domain types that parse raw input at the boundary; past them, values are known valid.

mod date;
mod lang;
mod page;
mod record_kind;
mod respondent;
mod slug;

pub use date::{now, timestamp, IsoDate};
pub use lang::Lang;
pub use page::{Direction, Order, OrderField, PageRequest, PageSize, Position, Towards};
pub use record_kind::{EntryKind, RecordKind};
pub use respondent::Respondent;
pub use slug::Slug;
