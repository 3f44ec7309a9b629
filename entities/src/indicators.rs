use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "indicators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub version: i32,
    pub region_id: i32,
    pub name_zh: String,
    pub name_en: String,
    pub value: f64,
    pub qualifier: crate::qualifier::Qualifier,
    pub unit_zh: String,
    pub unit_en: String,
    pub year: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note_en: Option<String>,
    /// When the row was first written (RFC 3339, UTC).
    pub created_at: String,
    /// When the row was last written (RFC 3339, UTC).
    pub updated_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
