//! The survey behind a source (period, sampling, questionnaires) and the glossary of Chinese
//! policy terms.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000001_survey_and_glossary"
    }
}

/// New nullable columns of `sources`; SQLite adds one column per statement.
fn survey_columns() -> Vec<ColumnDef> {
    let mut columns = vec![
        ColumnDef::new(Alias::new("survey_start"))
            .string_len(10)
            .null()
            .to_owned(),
        ColumnDef::new(Alias::new("survey_end"))
            .string_len(10)
            .null()
            .to_owned(),
        ColumnDef::new(Alias::new("sampling_zh"))
            .text()
            .null()
            .to_owned(),
        ColumnDef::new(Alias::new("sampling_en"))
            .text()
            .null()
            .to_owned(),
    ];
    for name in [
        "questionnaires_issued",
        "questionnaires_returned",
        "questionnaires_valid",
    ] {
        columns.push(ColumnDef::new(Alias::new(name)).integer().null().to_owned());
    }
    columns.push(
        ColumnDef::new(Alias::new("valid_rate"))
            .double()
            .null()
            .to_owned(),
    );
    columns
}

fn glossary_table() -> TableCreateStatement {
    Table::create()
        .table(Alias::new("glossary_terms"))
        .col(
            ColumnDef::new(Alias::new("id"))
                .integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(
            ColumnDef::new(Alias::new("slug"))
                .string_len(120)
                .not_null()
                .unique_key(),
        )
        .col(
            ColumnDef::new(Alias::new("version"))
                .integer()
                .not_null()
                .default(1),
        )
        .col(
            ColumnDef::new(Alias::new("term"))
                .string_len(64)
                .not_null()
                .unique_key(),
        )
        .col(
            ColumnDef::new(Alias::new("pinyin"))
                .string_len(128)
                .not_null(),
        )
        .col(ColumnDef::new(Alias::new("english")).text().not_null())
        .col(
            ColumnDef::new(Alias::new("explanation_zh"))
                .text()
                .not_null(),
        )
        .col(
            ColumnDef::new(Alias::new("explanation_en"))
                .text()
                .not_null(),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for mut column in survey_columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("sources"))
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager.create_table(glossary_table()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("glossary_terms")).to_owned())
            .await?;
        for column in survey_columns() {
            let name = Alias::new(column.get_column_name());
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("sources"))
                        .drop_column(name)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
