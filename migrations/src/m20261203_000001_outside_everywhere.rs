//! `outside_*` on every kind of record that holds facts (issue #14): dimensions, causes,
//! strategies, measures and statistics join regions, cases and glossary terms. An editor who
//! adds a measure or a figure from another study must be able to say so on the record itself.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000001_outside_everywhere"
    }
}

const TABLES: [&str; 5] = [
    "dimensions",
    "causes",
    "strategies",
    "measures",
    "statistics",
];
const COLUMNS: [&str; 2] = ["outside_zh", "outside_en"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        alter_each(manager, |table, column| {
            Table::alter()
                .table(Alias::new(table))
                .add_column(ColumnDef::new(Alias::new(column)).text().null())
                .to_owned()
        })
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        alter_each(manager, |table, column| {
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(column))
                .to_owned()
        })
        .await
    }
}

/// Runs `alter` for every (table, column) pair: SQLite alters one column per statement.
async fn alter_each(
    manager: &SchemaManager<'_>,
    alter: impl Fn(&str, &str) -> TableAlterStatement,
) -> Result<(), DbErr> {
    for table in TABLES {
        for column in COLUMNS {
            manager.alter_table(alter(table, column)).await?;
        }
    }
    Ok(())
}
