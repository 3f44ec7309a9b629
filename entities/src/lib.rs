//! sea-orm entities of policy-kb: one module per table, nothing else.
//!
//! Human-readable columns come in pairs: `<name>_zh` (the source language) and `<name>_en`.
//! Every knowledge row has a unique ASCII `slug` and a `version` counter for optimistic
//! concurrency. Relations are resolved by the service layer, so `Relation` enums stay empty;
//! the foreign keys themselves are declared in the migrations.

pub mod actors;
pub mod aliases;
pub mod api_tokens;
pub mod case_measures;
pub mod cases;
pub mod cause_dimensions;
pub mod causes;
pub mod change_log;
pub mod citations;
pub mod dimensions;
pub mod glossary_terms;
pub mod indicators;
pub mod kb_meta;
pub mod measure_causes;
pub mod measures;
pub mod qualifier;
pub mod regions;
pub mod revisions;
pub mod sources;
pub mod statistics;
pub mod strategies;
