use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A Chinese policy term with its pinyin, its English rendering and an explanation.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "glossary_terms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub version: i32,
    /// The term as the source writes it, e.g. 等靠要.
    #[sea_orm(unique)]
    pub term: String,
    pub pinyin: String,
    /// The rendering used consistently in the English texts.
    #[sea_orm(column_type = "Text")]
    pub english: String,
    #[sea_orm(column_type = "Text")]
    pub explanation_zh: String,
    #[sea_orm(column_type = "Text")]
    pub explanation_en: String,
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
