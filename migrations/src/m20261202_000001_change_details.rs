//! What each change-log entry did to its record, so that live updates (subscriptions) can tell
//! a client without reading anything else: `operation` (`create`, `update`, `delete`,
//! `related` for a record whose links changed through another record's edit, `reload` for a
//! bulk import) and `version`, the record's version after the edit (null when it has none: a
//! deletion, a related record, a bulk import). Entries written before this migration have
//! neither, and are read as `related` changes.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000001_change_details"
    }
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Operation,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeLog::Table)
                    .add_column(ColumnDef::new(ChangeLog::Operation).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ChangeLog::Table)
                    .add_column(ColumnDef::new(ChangeLog::Version).integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ChangeLog::Operation, ChangeLog::Version] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ChangeLog::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
