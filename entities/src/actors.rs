use schemars::JsonSchema;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A person or organisation a model case names; owned by its case.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "actors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub version: i32,
    pub case_id: i32,
    pub kind: ActorKind,
    pub name_zh: String,
    pub name_en: String,
    /// What the actor is or did in the case, as the source says.
    #[sea_orm(column_type = "Text", nullable)]
    pub role_zh: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub role_en: Option<String>,
    /// When the row was first written (RFC 3339, UTC).
    pub created_at: String,
    /// When the row was last written (RFC 3339, UTC).
    pub updated_at: String,
}

/// What kind of actor a case names.
#[derive(
    Clone,
    Copy,
    Debug,
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
pub enum ActorKind {
    /// A person: a cadre, a villager.
    #[sea_orm(string_value = "person")]
    Person,
    /// A company.
    #[sea_orm(string_value = "company")]
    Company,
    /// Any other organisation: an association, an aid group.
    #[sea_orm(string_value = "organisation")]
    Organisation,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
