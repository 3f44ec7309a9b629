use schemars::JsonSchema;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How a number relates to the quantity it stands for, as the source words it: 2万余户 is
/// "more than 20,000 households", 上万群众 "more than 10,000 people".
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "kebab-case")]
pub enum Qualifier {
    /// The number as the source gives it.
    #[default]
    #[sea_orm(string_value = "exact")]
    Exact,
    /// 约, 近: about.
    #[sea_orm(string_value = "about")]
    About,
    /// 余, 多, 上: more than.
    #[sea_orm(string_value = "more-than")]
    MoreThan,
    /// 不足: less than.
    #[sea_orm(string_value = "less-than")]
    LessThan,
    /// 以内, 最多: at most.
    #[sea_orm(string_value = "at-most")]
    AtMost,
    /// 以上, 至少: at least.
    #[sea_orm(string_value = "at-least")]
    AtLeast,
}

impl Qualifier {
    pub fn is_exact(&self) -> bool {
        *self == Qualifier::Exact
    }
}
