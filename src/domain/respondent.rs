use crate::error::AppError;

/// The two sides the survey asked: those who help and those who are helped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Respondent {
    /// 扶贫主体: district poverty-alleviation staff, township and village cadres.
    Helpers,
    /// 脱贫主体: the registered poor households.
    PoorHouseholds,
}

impl Respondent {
    pub fn parse(raw: &str) -> Result<Respondent, AppError> {
        match raw {
            "helpers" => Ok(Respondent::Helpers),
            "poor-households" => Ok(Respondent::PoorHouseholds),
            other => Err(AppError::bad_input(format!(
                "unknown respondent group '{other}': use 'helpers' or 'poor-households'"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Respondent::Helpers => "helpers",
            Respondent::PoorHouseholds => "poor-households",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Respondent;

    #[test]
    fn respondent_groups_round_trip() {
        for group in [Respondent::Helpers, Respondent::PoorHouseholds] {
            assert_eq!(Respondent::parse(group.as_str()).unwrap(), group);
        }
        assert!(Respondent::parse("villagers").is_err());
    }
}
