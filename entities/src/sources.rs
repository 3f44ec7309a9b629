use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub version: i32,
    pub title_zh: String,
    pub title_en: String,
    #[sea_orm(column_type = "Text")]
    pub authors_zh: String,
    #[sea_orm(column_type = "Text")]
    pub authors_en: String,
    #[sea_orm(column_type = "Text")]
    pub institution_zh: String,
    #[sea_orm(column_type = "Text")]
    pub institution_en: String,
    pub year: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub citation_zh: String,
    #[sea_orm(column_type = "Text")]
    pub citation_en: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary_en: Option<String>,
    /// First day of the survey, `YYYY-MM-DD`.
    pub survey_start: Option<String>,
    /// Last day of the survey, `YYYY-MM-DD`.
    pub survey_end: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub sampling_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub sampling_en: Option<String>,
    pub questionnaires_issued: Option<i32>,
    pub questionnaires_returned: Option<i32>,
    pub questionnaires_valid: Option<i32>,
    /// Valid questionnaires as a percentage of those issued.
    pub valid_rate: Option<f64>,
    /// When the row was first written (RFC 3339, UTC).
    pub created_at: String,
    /// When the row was last written (RFC 3339, UTC).
    pub updated_at: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
