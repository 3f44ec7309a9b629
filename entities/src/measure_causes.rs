use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "measure_causes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub measure_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cause_id: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub rationale_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub rationale_en: Option<String>,
    /// The position of the owner\'s citation that states the link (stated links only).
    pub citation: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
