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
        match first {
            None => Ok(PageSize(default)),
            Some(n) if (1..=Self::MAX as i32).contains(&n) => Ok(PageSize(n as u64)),
            Some(n) => Err(AppError::bad_field(
                "first",
                format!("`first` must be between 1 and {}, not {n}", Self::MAX),
            )),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// A forward page: `size` rows after the row with id `after` (keyset pagination, so pages stay
/// stable while rows are added).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub size: PageSize,
    pub after: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::PageSize;

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
