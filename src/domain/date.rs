//! Calendar dates as the knowledge base writes them: `YYYY-MM-DD`, checked by chrono's calendar
//! (month lengths and leap years), not by ranges of numbers.

use chrono::{Datelike, NaiveDate};

/// A time as the database stores it and the API sends it: RFC 3339 in UTC with milliseconds,
/// fixed width, so that text order is time order.
pub fn timestamp(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The time now, as [`timestamp`] writes it.
pub fn now() -> String {
    timestamp(chrono::Utc::now())
}

/// The years a survey date may fall in: a typo such as `0219` is refused, not stored.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A day of the calendar, written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoDate(NaiveDate);

impl IsoDate {
    /// Exactly `YYYY-MM-DD` (four, two and two digits), a day that exists, in 1900-2100.
    pub fn parse(raw: &str) -> Option<IsoDate> {
        let shaped = raw.len() == 10
            && raw.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shaped {
            return None;
        }
        let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
        YEARS.contains(&date.year()).then_some(IsoDate(date))
    }

    /// The date of an RFC 3339 timestamp or a `YYYY-MM-DD` prefix.
    pub fn of_timestamp(raw: &str) -> Option<IsoDate> {
        IsoDate::parse(raw.get(..10)?)
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// The English name of the month (`November`).
    pub fn month_name(self) -> &'static str {
        chrono::Month::try_from(self.0.month() as u8)
            .map(|month| month.name())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::IsoDate;

    #[test]
    fn accepts_days_that_exist() {
        for raw in [
            "2019-01-31",
            "2019-02-28",
            "2020-02-29",
            "1900-01-01",
            "2100-12-31",
        ] {
            assert!(IsoDate::parse(raw).is_some(), "{raw}");
        }
    }

    #[test]
    fn refuses_days_the_calendar_does_not_have_other_shapes_and_implausible_years() {
        let no_such_day = [
            "2019-02-31",
            "2019-02-29",
            "2100-02-29",
            "2019-04-31",
            "2019-13-01",
            "2019-00-10",
            "2019-01-00",
        ];
        let other_shapes = [
            "2019-2-3",
            "19-02-03",
            "2019/02/03",
            "2019-02-03T00:00:00Z",
            " 2019-02-03",
            "+019-02-03",
            "",
        ];
        let implausible_years = ["1899-12-31", "2101-01-01"];
        for raw in no_such_day
            .iter()
            .chain(&other_shapes)
            .chain(&implausible_years)
        {
            assert!(IsoDate::parse(raw).is_none(), "{raw}");
        }
    }

    #[test]
    fn reads_the_day_of_a_timestamp_with_its_month_name() {
        let day = IsoDate::of_timestamp("2026-11-29T20:10:00.000Z").unwrap();
        assert_eq!(
            (day.year(), day.month_name(), day.day()),
            (2026, "November", 29)
        );
        assert!(IsoDate::of_timestamp("2026-11").is_none());
    }
}
