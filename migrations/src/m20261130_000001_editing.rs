//! Editing: API tokens, the revision history of every edit, and the change log the search
//! indexers tail.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000001_editing"
    }
}

fn id(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .text()
        .not_null()
        .to_owned()
}

fn short(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(len)
        .not_null()
        .to_owned()
}

fn tokens_table() -> TableCreateStatement {
    Table::create()
        .table(Alias::new("api_tokens"))
        .col(id("id"))
        .col(short("name", 64).unique_key())
        .col(short("role", 16))
        // SHA-256 of the token, hex: the token itself is never stored.
        .col(short("token_hash", 64).unique_key())
        .col(short("created_at", 32))
        .col(
            ColumnDef::new(Alias::new("revoked_at"))
                .string_len(32)
                .null(),
        )
        .to_owned()
}

fn revisions_table() -> TableCreateStatement {
    Table::create()
        .table(Alias::new("revisions"))
        .col(id("id"))
        .col(short("entity_type", 32))
        .col(ColumnDef::new(Alias::new("entity_id")).integer().not_null())
        .col(short("operation", 16))
        .col(short("actor", 64))
        .col(short("at", 32))
        // The record in the file format (JSON) before and after; null before a create and
        // after a delete.
        .col(ColumnDef::new(Alias::new("before")).text().null())
        .col(ColumnDef::new(Alias::new("after")).text().null())
        .col(ColumnDef::new(Alias::new("reverts")).integer().null())
        .to_owned()
}

fn change_log_table() -> TableCreateStatement {
    // SQLite's AUTOINCREMENT never reuses a position, so the log only ever grows.
    Table::create()
        .table(Alias::new("change_log"))
        .col(id("position"))
        .col(short("entity_type", 32))
        .col(ColumnDef::new(Alias::new("entity_id")).integer().not_null())
        .col(ColumnDef::new(Alias::new("revision_id")).integer().null())
        .col(text("at"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(tokens_table()).await?;
        manager.create_table(revisions_table()).await?;
        manager
            .create_index(
                Index::create()
                    .name("revisions_by_entity")
                    .table(Alias::new("revisions"))
                    .col(Alias::new("entity_type"))
                    .col(Alias::new("entity_id"))
                    .to_owned(),
            )
            .await?;
        manager.create_table(change_log_table()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["change_log", "revisions", "api_tokens"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
