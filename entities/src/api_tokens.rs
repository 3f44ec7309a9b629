use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An API token: only its SHA-256 is kept; the token itself is shown once, at creation.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    pub role: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
