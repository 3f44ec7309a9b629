//! `created_at` and `updated_at` on every knowledge table, for clients that order by them or
//! show them. Stored as RFC 3339 text in UTC with milliseconds (like `revisions.at`), so the
//! text order is the time order on both backends. Rows that exist when this runs get the time
//! of the migration: their true creation time was never recorded.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000002_timestamps"
    }
}

/// Every table whose rows are records a client can see (`Node`s other than revisions).
const TABLES: [&str; 11] = [
    "sources",
    "regions",
    "indicators",
    "dimensions",
    "causes",
    "strategies",
    "measures",
    "cases",
    "statistics",
    "citations",
    "glossary_terms",
];

const COLUMNS: [&str; 2] = ["created_at", "updated_at"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A constant default is what lets SQLite add a NOT NULL column to a table with rows;
        // the application always writes both columns itself.
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        for table in TABLES {
            // SQLite alters one column per statement.
            for column in COLUMNS {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .add_column(
                                ColumnDef::new(Alias::new(column))
                                    .string_len(32)
                                    .not_null()
                                    .default(now.clone()),
                            )
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            for column in COLUMNS {
                manager
                    .alter_table(
                        Table::alter()
                            .table(Alias::new(table))
                            .drop_column(Alias::new(column))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
