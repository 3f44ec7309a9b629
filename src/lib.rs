//! policy-kb: a GraphQL knowledge base of poverty-governance policy.
//!
//! See ARCHITECTURE.md for the map of modules and the invariants between them.

pub mod auth;
pub mod catalog;
pub mod changes;
pub mod cli;
pub mod db;
pub mod domain;
pub mod edge;
pub mod editing;
pub mod error;
pub mod feed;
pub mod graph;
pub mod graphql;
#[cfg(test)]
mod import_rules;
pub mod kb;
pub mod metrics;
pub mod recommend;
pub mod routes;
pub mod search;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod web;
