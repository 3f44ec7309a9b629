//! Domain types that parse raw input at the boundary; past them, values are known valid.

mod date;
mod entry_kind;
mod page;
mod respondent;
mod slug;

pub use date::IsoDate;
pub use entry_kind::EntryKind;
pub use page::{Direction, Order, OrderField, PageRequest, PageSize, Position, Towards};
pub use respondent::Respondent;
pub use slug::Slug;
