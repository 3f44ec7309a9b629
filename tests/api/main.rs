//! The API test suite: one binary, every test against a real server.

mod helpers;

mod cli;
mod dataloader;
mod errors;
mod http;
mod pagination;
mod reads;
mod restart;
