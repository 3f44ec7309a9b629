use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "statistics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub version: i32,
    pub figure: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub series_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub series_en: Option<String>,
    pub label_zh: String,
    pub label_en: String,
    pub value: f64,
    pub unit_zh: String,
    pub unit_en: String,
    pub respondent: Option<String>,
    pub sample: Option<i32>,
    pub cause_id: Option<i32>,
    pub dimension_id: Option<i32>,
    pub region_id: Option<i32>,
    /// When the row was first written (RFC 3339, UTC).
    pub created_at: String,
    /// When the row was last written (RFC 3339, UTC).
    pub updated_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
