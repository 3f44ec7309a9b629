//! Aliases: the words planners use for causes, dimensions, prongs, measures and glossary terms.
//! Owned by their record like citations (kind + id), ordered per language.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000001_aliases"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("aliases"))
                    .col(
                        ColumnDef::new(Alias::new("id"))
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("entity_type"))
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Alias::new("entity_id")).integer().not_null())
                    .col(ColumnDef::new(Alias::new("lang")).string_len(2).not_null())
                    .col(ColumnDef::new(Alias::new("position")).integer().not_null())
                    .col(
                        ColumnDef::new(Alias::new("text"))
                            .string_len(240)
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // One alias per place: a record's list is rewritten whole, never half.
        manager
            .create_index(
                Index::create()
                    .name("aliases_owner")
                    .table(Alias::new("aliases"))
                    .col(Alias::new("entity_type"))
                    .col(Alias::new("entity_id"))
                    .col(Alias::new("lang"))
                    .col(Alias::new("position"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("aliases")).to_owned())
            .await
    }
}
