//! One name per record kind: citations and aliases of glossary terms called their owner
//! `glossary-term` while the change log, revisions and search called it `glossary`. They now
//! say `glossary` too, and the citations' slugs (`glossary-term-<term>-<n>`, made from the
//! kind's name) follow, as a fresh load would write them.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000001_one_kind_name"
    }
}

#[derive(DeriveIden)]
enum Citations {
    Table,
    EntityType,
    Slug,
}

#[derive(DeriveIden)]
enum Aliases {
    Table,
    EntityType,
}

async fn rename(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let slug = Func::cust(Alias::new("REPLACE"))
        .arg(Expr::col(Citations::Slug))
        .arg(format!("{from}-"))
        .arg(format!("{to}-"));
    manager
        .exec_stmt(
            Query::update()
                .table(Citations::Table)
                .value(Citations::EntityType, to)
                .value(Citations::Slug, slug)
                .and_where(Expr::col(Citations::EntityType).eq(from))
                .to_owned(),
        )
        .await?;
    manager
        .exec_stmt(
            Query::update()
                .table(Aliases::Table)
                .value(Aliases::EntityType, to)
                .and_where(Expr::col(Aliases::EntityType).eq(from))
                .to_owned(),
        )
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rename(manager, "glossary-term", "glossary").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rename(manager, "glossary", "glossary-term").await
    }
}
