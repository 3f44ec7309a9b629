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
    pub qualifier: crate::qualifier::Qualifier,
    pub unit_zh: String,
    pub unit_en: String,
    pub respondent: Option<String>,
    pub sample: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub question_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub question_en: Option<String>,
    /// Whether a respondent could give several answers; null when the source does not tell.
    pub multiple_answers: Option<bool>,
    /// Who the shares are shares of, when the source says.
    #[sea_orm(column_type = "Text", nullable)]
    pub base_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub base_en: Option<String>,
    pub cause_id: Option<i32>,
    /// Why the statistic is evidence for its cause, when the source only implies it.
    #[sea_orm(column_type = "Text", nullable)]
    pub cause_rationale_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cause_rationale_en: Option<String>,
    /// The position of the statistic's citation that states the link to its cause.
    pub cause_citation: Option<i32>,
    pub dimension_id: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub dimension_rationale_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub dimension_rationale_en: Option<String>,
    pub dimension_citation: Option<i32>,
    pub region_id: Option<i32>,
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
