use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "dimensions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub version: i32,
    pub name_zh: String,
    pub name_en: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary_en: Option<String>,
    /// What the record says that its source does not, and where that comes from.
    #[sea_orm(column_type = "Text", nullable)]
    pub outside_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub outside_en: Option<String>,
    /// When the row was first written (RFC 3339, UTC).
    pub created_at: String,
    /// When the row was last written (RFC 3339, UTC).
    pub updated_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
