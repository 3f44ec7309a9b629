//! The GraphQL API: the only module that knows async-graphql. Resolvers are thin: they parse
//! arguments into domain types, call the catalog, and load relations through DataLoaders.

mod error;
pub mod http;
pub mod id;
pub mod loaders;
mod mutation;
mod query;
mod recommend;
mod search;
pub mod types;

use std::time::Duration;

use async_graphql::{EmptySubscription, Request, Response, Schema};
use sea_orm::DatabaseConnection;

use crate::search::Search;

pub use mutation::Mutation;
pub use query::Query;

pub type KbSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema and the database it reads, ready to execute requests.
#[derive(Clone)]
pub struct Api {
    schema: KbSchema,
    db: DatabaseConnection,
    batch_window: Duration,
}

impl Api {
    /// How long a DataLoader collects keys before it queries, unless configured otherwise.
    pub const DEFAULT_BATCH_WINDOW: Duration = Duration::from_millis(2);

    pub fn new(db: DatabaseConnection, search: Search, batch_window: Duration) -> Api {
        let schema = Schema::build(Query, Mutation, EmptySubscription)
            .data(db.clone())
            .data(search)
            .finish();
        Api {
            schema,
            db,
            batch_window,
        }
    }

    /// Runs one request with its own DataLoader, and gives every error a code.
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let loader = loaders::Loaders::for_request(self.db.clone(), self.batch_window);
        error::assign_missing_codes(self.schema.execute(request.into().data(loader)).await)
    }
}

/// The SDL without a database, for `policy-kb schema`.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, EmptySubscription)
        .finish()
        .sdl()
}
