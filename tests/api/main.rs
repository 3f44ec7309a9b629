//! The API test suite: one binary, every test against a real server.

mod helpers;

mod abuse;
mod audit;
mod cli;
mod clients;
mod crash;
mod dataloader;
mod editing;
mod errors;
mod hardening;
mod http;
mod knowledge_base;
mod pagination;
mod persisted;
mod protocol;
mod reads;
mod recommend;
mod relevance;
mod restart;
mod schema;
mod search;
mod situations;
mod subscriptions;
mod timestamps;
mod web;
