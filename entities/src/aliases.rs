use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A word planners use for a record besides its name (colloquial, official, English synonym,
/// abbreviation). Owned by one record, like citations: `entity_type` is the record's kind.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub entity_type: String,
    pub entity_id: i32,
    /// `zh` or `en`.
    pub lang: String,
    /// The alias's place in its record's list for the language, from 0.
    pub position: i32,
    pub text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
