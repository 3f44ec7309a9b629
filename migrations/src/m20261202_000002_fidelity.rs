//! What the knowledge base needs to say exactly what its source says (issue #14):
//! - `qualifier` on every number (`indicators.value`, `statistics.value`): exact, about, more
//!   than, less than, at most, at least. Existing rows are `exact`, which is what they meant.
//! - the question behind a statistic: `question_*`, `multiple_answers` (null when the source
//!   does not tell) and `base_*`, who the shares are shares of.
//! - the provenance of every link: a link row already has its rationale (inferred); `citation`
//!   is the position of the owner's citation that states it (stated). The statistic's links to
//!   its cause and its dimension are columns of the statistic, so they get both here.
//! - `outside_*` on regions, cases and glossary terms: what the record says that the source
//!   does not, and where it comes from.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000002_fidelity"
    }
}

enum Kind {
    Qualifier,
    Text,
    Position,
    Flag,
}

const COLUMNS: [(&str, &str, Kind); 22] = [
    ("indicators", "qualifier", Kind::Qualifier),
    ("statistics", "qualifier", Kind::Qualifier),
    ("statistics", "question_zh", Kind::Text),
    ("statistics", "question_en", Kind::Text),
    ("statistics", "multiple_answers", Kind::Flag),
    ("statistics", "base_zh", Kind::Text),
    ("statistics", "base_en", Kind::Text),
    ("statistics", "cause_rationale_zh", Kind::Text),
    ("statistics", "cause_rationale_en", Kind::Text),
    ("statistics", "cause_citation", Kind::Position),
    ("statistics", "dimension_rationale_zh", Kind::Text),
    ("statistics", "dimension_rationale_en", Kind::Text),
    ("statistics", "dimension_citation", Kind::Position),
    ("measure_causes", "citation", Kind::Position),
    ("case_measures", "citation", Kind::Position),
    ("cause_dimensions", "citation", Kind::Position),
    ("regions", "outside_zh", Kind::Text),
    ("regions", "outside_en", Kind::Text),
    ("cases", "outside_zh", Kind::Text),
    ("cases", "outside_en", Kind::Text),
    ("glossary_terms", "outside_zh", Kind::Text),
    ("glossary_terms", "outside_en", Kind::Text),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for (table, column, kind) in COLUMNS {
            let mut def = ColumnDef::new(Alias::new(column));
            match kind {
                // A constant default lets SQLite add a NOT NULL column to a table with rows.
                Kind::Qualifier => def.string_len(16).not_null().default("exact"),
                Kind::Text => def.text().null(),
                Kind::Position => def.integer().null(),
                Kind::Flag => def.boolean().null(),
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(&mut def)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column, _) in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
