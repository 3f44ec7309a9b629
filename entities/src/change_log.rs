use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A record whose search document may have changed, in commit order. `entity_type` `*` means
/// "everything" (a bulk import).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub position: i32,
    pub entity_type: String,
    pub entity_id: i32,
    pub revision_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub at: String,
    /// `create`, `update`, `delete`, `related` (another record's edit changed this one's
    /// links) or `reload` (a bulk import); null in entries older than the column.
    pub operation: Option<String>,
    /// The record's version after a create or update.
    pub version: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
