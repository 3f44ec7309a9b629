//! Named actors: the people and organisations a model case names (a cadre, a villager, a
//! company, an association), owned by their case like indicators by their region.

use sea_orm_migration::prelude::*;

use crate::m20261128_000001_create_knowledge_base::{
    bilingual, knowledge_table, reference, OnDelete,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000003_actors"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = knowledge_table("actors");
        reference(&mut table, "case_id", "cases", true, OnDelete::Cascade);
        table.col(ColumnDef::new(Alias::new("kind")).string_len(16).not_null());
        bilingual(&mut table, "name", true);
        bilingual(&mut table, "role", false);
        for column in ["created_at", "updated_at"] {
            table.col(ColumnDef::new(Alias::new(column)).string_len(32).not_null());
        }
        manager.create_table(table.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("actors_case_id")
                    .table(Alias::new("actors"))
                    .col(Alias::new("case_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("actors")).to_owned())
            .await
    }
}
