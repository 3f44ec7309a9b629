//! Schema migrations of policy-kb. They run on SQLite and PostgreSQL alike, so they use only
//! sea-query's portable statements (no raw SQL).

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_knowledge_base;
mod m20261129_000001_survey_and_glossary;
mod m20261130_000001_editing;
mod m20261201_000001_aliases;
mod m20261201_000002_timestamps;
mod m20261202_000001_change_details;
mod m20261202_000002_fidelity;
mod m20261202_000003_actors;
mod m20261203_000001_outside_everywhere;
mod m20261204_000001_one_kind_name;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_knowledge_base::Migration),
            Box::new(m20261129_000001_survey_and_glossary::Migration),
            Box::new(m20261130_000001_editing::Migration),
            Box::new(m20261201_000001_aliases::Migration),
            Box::new(m20261201_000002_timestamps::Migration),
            Box::new(m20261202_000001_change_details::Migration),
            Box::new(m20261202_000002_fidelity::Migration),
            Box::new(m20261202_000003_actors::Migration),
            Box::new(m20261203_000001_outside_everywhere::Migration),
            Box::new(m20261204_000001_one_kind_name::Migration),
        ]
    }
}
