use crate::error::AppError;

/// How many rows one page of a connection holds: 1 to 100, 20 unless asked otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSize(u64);

impl PageSize {
    pub const DEFAULT: u64 = 20;
    pub const MAX: u64 = 100;

    pub fn parse(first: Option<i32>) -> Result<PageSize, AppError> {
        Self::parse_or(first, Self::DEFAULT)
    }

    /// Like `parse`, with another default.
    pub fn parse_or(first: Option<i32>, default: u64) -> Result<PageSize, AppError> {
        Self::parse_argument("first", first, default)
    }

    /// The size a page argument (`first` or `last`) asks for.
    pub fn parse_argument(
        argument: &str,
        value: Option<i32>,
        default: u64,
    ) -> Result<PageSize, AppError> {
        match value {
            None => Ok(PageSize(default)),
            Some(n) if (1..=Self::MAX as i32).contains(&n) => Ok(PageSize(n as u64)),
            Some(n) => Err(AppError::bad_field(
                argument,
                format!("`{argument}` must be between 1 and {}, not {n}", Self::MAX),
            )),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// What a list can be ordered by. Every order ends with the id, so that rows with the same key
/// still have one fixed order (and a cursor names one place in it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderField {
    TitleZh,
    TitleEn,
    CreatedAt,
    UpdatedAt,
    /// The order of the knowledge base's files (the id order: records loaded from the files
    /// come first, in file order; records created later follow in the order they were made).
    #[default]
    SourceOrder,
}

impl OrderField {
    pub const ALL: [OrderField; 5] = [
        OrderField::TitleZh,
        OrderField::TitleEn,
        OrderField::CreatedAt,
        OrderField::UpdatedAt,
        OrderField::SourceOrder,
    ];

    /// The name cursors carry.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderField::TitleZh => "title-zh",
            OrderField::TitleEn => "title-en",
            OrderField::CreatedAt => "created-at",
            OrderField::UpdatedAt => "updated-at",
            OrderField::SourceOrder => "source-order",
        }
    }

    pub fn parse(raw: &str) -> Option<OrderField> {
        Self::ALL.into_iter().find(|field| field.as_str() == raw)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    #[default]
    Ascending,
    Descending,
}

/// The order of a list: by `field`, then by id, both in `direction`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Order {
    pub field: OrderField,
    pub direction: Direction,
}

/// A row's place in a list ordered by some field: its key in that field (none for the source
/// order, where the id is the key) and its id. A place stays meaningful when rows are added,
/// edited or deleted around it, which is what keeps keyset pages correct across edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub key: Option<String>,
    pub id: i32,
}

/// Which way a page reads from its position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Towards {
    /// `first`/`after`: the rows following the position (or the list's start).
    End,
    /// `last`/`before`: the rows preceding the position (or the list's end).
    Start,
}

/// One page of an ordered list (keyset pagination: `size` rows next to `from`, towards one end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub size: PageSize,
    pub order: Order,
    pub towards: Towards,
    /// The position the page starts next to (exclusive); `None` starts at the list's end
    /// that the page reads away from.
    pub from: Option<Position>,
}

impl PageRequest {
    /// The first page in the default order.
    pub fn first(size: PageSize) -> PageRequest {
        PageRequest {
            size,
            order: Order::default(),
            towards: Towards::End,
            from: None,
        }
    }

    /// A page from the Relay arguments. `first` with `last`, or `after` with `before`, is
    /// `BAD_USER_INPUT`: the connection specification allows them together, but no client
    /// needs them and their meaning surprises.
    pub fn from_arguments(
        first: Option<i32>,
        after: Option<Position>,
        last: Option<i32>,
        before: Option<Position>,
        order: Order,
    ) -> Result<PageRequest, AppError> {
        if first.is_some() && last.is_some() {
            return Err(AppError::bad_field(
                "last",
                "`first` and `last` cannot be used together: ask for `first` (with `after`) or `last` (with `before`)",
            ));
        }
        if after.is_some() && before.is_some() {
            return Err(AppError::bad_field(
                "before",
                "`after` and `before` cannot be used together",
            ));
        }
        let backwards = last.is_some() || (first.is_none() && before.is_some());
        Ok(if backwards {
            PageRequest {
                size: PageSize::parse_argument("last", last, PageSize::DEFAULT)?,
                order,
                towards: Towards::Start,
                from: before,
            }
        } else {
            PageRequest {
                size: PageSize::parse(first)?,
                order,
                towards: Towards::End,
                from: after,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: i32) -> Option<Position> {
        Some(Position { key: None, id })
    }

    #[test]
    fn first_and_after_read_towards_the_end() {
        let page =
            PageRequest::from_arguments(Some(5), at(3), None, None, Order::default()).unwrap();
        assert_eq!(page.towards, Towards::End);
        assert_eq!(page.size.get(), 5);
        assert_eq!(page.from, at(3));
    }

    #[test]
    fn last_or_before_alone_read_towards_the_start() {
        let page =
            PageRequest::from_arguments(None, None, Some(4), None, Order::default()).unwrap();
        assert_eq!(
            (page.towards, page.size.get(), page.from),
            (Towards::Start, 4, None)
        );
        let page = PageRequest::from_arguments(None, None, None, at(9), Order::default()).unwrap();
        assert_eq!(
            (page.towards, page.size.get()),
            (Towards::Start, PageSize::DEFAULT)
        );
    }

    #[test]
    fn both_directions_at_once_are_bad_input() {
        let order = Order::default();
        for (first, after, last, before) in [
            (Some(1), None, Some(1), None),
            (None, at(1), None, at(2)),
            (Some(1), at(1), Some(1), at(2)),
        ] {
            let err = PageRequest::from_arguments(first, after, last, before, order).unwrap_err();
            assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput);
        }
    }

    #[test]
    fn last_out_of_range_names_last() {
        let err =
            PageRequest::from_arguments(None, None, Some(0), None, Order::default()).unwrap_err();
        assert!(err.to_string().contains("last"), "{err}");
    }

    #[test]
    fn order_fields_round_trip_by_name() {
        for field in OrderField::ALL {
            assert_eq!(OrderField::parse(field.as_str()), Some(field));
        }
        assert_eq!(OrderField::parse("title"), None);
    }

    #[test]
    fn page_size_defaults_to_twenty() {
        assert_eq!(PageSize::parse(None).unwrap().get(), 20);
    }

    #[test]
    fn page_size_bounds_are_inclusive() {
        assert_eq!(PageSize::parse(Some(1)).unwrap().get(), 1);
        assert_eq!(PageSize::parse(Some(100)).unwrap().get(), 100);
    }

    #[test]
    fn page_size_out_of_range_is_bad_input() {
        for n in [0, -1, 101, i32::MAX, i32::MIN] {
            let err = PageSize::parse(Some(n)).unwrap_err();
            assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput);
        }
    }
}
