//! The knowledge base: sources, regions and their indicators, the four dimensions of poverty,
//! causes, the five strategies with their measures, model cases, survey statistics, citations,
//! and the link tables between them.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_create_knowledge_base"
    }
}

/// How a foreign key behaves when its target row is deleted.
#[derive(Clone, Copy)]
pub(crate) enum OnDelete {
    /// The referencing row cannot outlive its target (indicators of a region, link rows).
    Cascade,
    /// The reference is optional and simply lapses (a case whose region is removed).
    SetNull,
    /// The target must not be deleted while referenced (a measure's strategy).
    Restrict,
}

/// A table of knowledge rows: integer id, unique slug and a version counter.
pub(crate) fn knowledge_table(name: &str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
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
        .to_owned()
}

/// A bilingual field: `<name>_zh` and `<name>_en`.
pub(crate) fn bilingual(table: &mut TableCreateStatement, name: &str, required: bool) {
    for lang in ["zh", "en"] {
        let mut col = ColumnDef::new(Alias::new(format!("{name}_{lang}")));
        col.text();
        if required {
            col.not_null();
        } else {
            col.null();
        }
        table.col(col);
    }
}

fn integer(table: &mut TableCreateStatement, name: &str, required: bool) {
    let mut col = ColumnDef::new(Alias::new(name));
    col.integer();
    if required {
        col.not_null();
    } else {
        col.null();
    }
    table.col(col);
}

pub(crate) fn reference(
    table: &mut TableCreateStatement,
    column: &str,
    target: &str,
    required: bool,
    on_delete: OnDelete,
) {
    integer(table, column, required);
    let action = match on_delete {
        OnDelete::Cascade => ForeignKeyAction::Cascade,
        OnDelete::SetNull => ForeignKeyAction::SetNull,
        OnDelete::Restrict => ForeignKeyAction::Restrict,
    };
    let owner = table.get_table_name().cloned();
    let mut fk = ForeignKey::create();
    if let Some(owner) = owner {
        fk.from_tbl(owner);
    }
    fk.from_col(Alias::new(column))
        .to_tbl(Alias::new(target))
        .to_col(Alias::new("id"))
        .on_delete(action);
    table.foreign_key(&mut fk);
}

/// A link table between two knowledge tables, with an optional bilingual rationale.
fn link_table(
    name: &str,
    (left, left_table): (&str, &str),
    (right, right_table): (&str, &str),
) -> TableCreateStatement {
    let mut table = Table::create().table(Alias::new(name)).to_owned();
    reference(&mut table, left, left_table, true, OnDelete::Cascade);
    reference(&mut table, right, right_table, true, OnDelete::Cascade);
    table.primary_key(Index::create().col(Alias::new(left)).col(Alias::new(right)));
    bilingual(&mut table, "rationale", false);
    table
}

fn tables() -> Vec<TableCreateStatement> {
    use OnDelete::*;

    let mut sources = knowledge_table("sources");
    bilingual(&mut sources, "title", true);
    bilingual(&mut sources, "authors", true);
    bilingual(&mut sources, "institution", true);
    integer(&mut sources, "year", false);
    bilingual(&mut sources, "citation", true);
    bilingual(&mut sources, "summary", false);

    let mut regions = knowledge_table("regions");
    reference(&mut regions, "parent_id", "regions", false, Restrict);
    regions.col(
        ColumnDef::new(Alias::new("level"))
            .string_len(32)
            .not_null(),
    );
    bilingual(&mut regions, "name", true);
    bilingual(&mut regions, "zone", false);
    bilingual(&mut regions, "summary", false);

    let mut indicators = knowledge_table("indicators");
    reference(&mut indicators, "region_id", "regions", true, Cascade);
    bilingual(&mut indicators, "name", true);
    indicators.col(ColumnDef::new(Alias::new("value")).double().not_null());
    bilingual(&mut indicators, "unit", true);
    integer(&mut indicators, "year", false);
    bilingual(&mut indicators, "note", false);

    let mut dimensions = knowledge_table("dimensions");
    bilingual(&mut dimensions, "name", true);
    bilingual(&mut dimensions, "summary", false);

    let mut causes = knowledge_table("causes");
    reference(&mut causes, "parent_id", "causes", false, Restrict);
    bilingual(&mut causes, "name", true);
    bilingual(&mut causes, "summary", false);

    let mut strategies = knowledge_table("strategies");
    integer(&mut strategies, "position", true);
    reference(
        &mut strategies,
        "dimension_id",
        "dimensions",
        false,
        SetNull,
    );
    bilingual(&mut strategies, "name", true);
    bilingual(&mut strategies, "aim", true);
    bilingual(&mut strategies, "summary", false);

    let mut measures = knowledge_table("measures");
    reference(&mut measures, "strategy_id", "strategies", true, Restrict);
    bilingual(&mut measures, "title", true);
    bilingual(&mut measures, "summary", false);

    let mut cases = knowledge_table("cases");
    reference(&mut cases, "region_id", "regions", false, SetNull);
    integer(&mut cases, "year", false);
    bilingual(&mut cases, "title", true);
    bilingual(&mut cases, "summary", false);
    bilingual(&mut cases, "actions", false);
    bilingual(&mut cases, "outcomes", false);

    let mut statistics = knowledge_table("statistics");
    integer(&mut statistics, "figure", false);
    bilingual(&mut statistics, "series", false);
    bilingual(&mut statistics, "label", true);
    statistics.col(ColumnDef::new(Alias::new("value")).double().not_null());
    bilingual(&mut statistics, "unit", true);
    statistics.col(
        ColumnDef::new(Alias::new("respondent"))
            .string_len(32)
            .null(),
    );
    integer(&mut statistics, "sample", false);
    reference(&mut statistics, "cause_id", "causes", false, SetNull);
    reference(
        &mut statistics,
        "dimension_id",
        "dimensions",
        false,
        SetNull,
    );
    reference(&mut statistics, "region_id", "regions", false, SetNull);

    // A citation may support a row of any table, so its target is (entity_type, entity_id)
    // rather than a foreign key; the service layer keeps them in step.
    let mut citations = knowledge_table("citations");
    reference(&mut citations, "source_id", "sources", true, Restrict);
    citations.col(
        ColumnDef::new(Alias::new("entity_type"))
            .string_len(32)
            .not_null(),
    );
    integer(&mut citations, "entity_id", true);
    bilingual(&mut citations, "section", true);
    integer(&mut citations, "figure", false);
    bilingual(&mut citations, "excerpt", true);

    let kb_meta = Table::create()
        .table(Alias::new("kb_meta"))
        .col(
            ColumnDef::new(Alias::new("key"))
                .string_len(64)
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(Alias::new("value")).text().not_null())
        .to_owned();

    vec![
        sources,
        regions,
        indicators,
        dimensions,
        causes,
        strategies,
        measures,
        cases,
        statistics,
        citations,
        link_table(
            "cause_dimensions",
            ("cause_id", "causes"),
            ("dimension_id", "dimensions"),
        ),
        link_table(
            "measure_causes",
            ("measure_id", "measures"),
            ("cause_id", "causes"),
        ),
        link_table(
            "case_measures",
            ("case_id", "cases"),
            ("measure_id", "measures"),
        ),
        kb_meta,
    ]
}

/// Indexes for every foreign key that relations and filters look rows up by.
fn indexes() -> Vec<IndexCreateStatement> {
    [
        ("regions", "parent_id"),
        ("indicators", "region_id"),
        ("causes", "parent_id"),
        ("strategies", "dimension_id"),
        ("measures", "strategy_id"),
        ("cases", "region_id"),
        ("statistics", "cause_id"),
        ("statistics", "dimension_id"),
        ("statistics", "region_id"),
        ("cause_dimensions", "dimension_id"),
        ("measure_causes", "cause_id"),
        ("case_measures", "measure_id"),
    ]
    .into_iter()
    .map(|(table, column)| {
        Index::create()
            .name(format!("idx_{table}_{column}"))
            .table(Alias::new(table))
            .col(Alias::new(column))
            .to_owned()
    })
    .chain(std::iter::once(
        Index::create()
            .name("idx_citations_entity")
            .table(Alias::new("citations"))
            .col(Alias::new("entity_type"))
            .col(Alias::new("entity_id"))
            .to_owned(),
    ))
    .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables().into_iter().rev() {
            let name = table
                .get_table_name()
                .cloned()
                .ok_or_else(|| DbErr::Migration("table without a name".into()))?;
            manager
                .drop_table(Table::drop().table(name).to_owned())
                .await?;
        }
        Ok(())
    }
}
