//! The API test suite: one binary, every test against a real server.

mod helpers;

mod cli;
mod crash;
mod dataloader;
mod editing;
mod errors;
mod http;
mod knowledge_base;
mod pagination;
mod reads;
mod recommend;
mod relevance;
mod restart;
mod search;
