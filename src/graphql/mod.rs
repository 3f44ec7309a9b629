//! The GraphQL API: the only module that knows async-graphql. Resolvers are thin: they parse
//! arguments into domain types, call the catalog, and load relations through DataLoaders.

mod error;
pub mod id;
pub mod loaders;
mod query;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Request, Response, Schema};
use sea_orm::DatabaseConnection;

pub use query::Query;

pub type KbSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The schema and the database it reads, ready to execute requests.
#[derive(Clone)]
pub struct Api {
    schema: KbSchema,
    db: DatabaseConnection,
}

impl Api {
    pub fn new(db: DatabaseConnection) -> Api {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .data(db.clone())
            .finish();
        Api { schema, db }
    }

    /// Runs one request with its own DataLoader, and gives every error a code.
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let request = request
            .into()
            .data(loaders::Loaders::for_request(self.db.clone()));
        error::assign_missing_codes(self.schema.execute(request).await)
    }
}

/// The SDL without a database, for `policy-kb schema`.
pub fn sdl() -> String {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// The GraphiQL page, pointed at the given endpoint.
pub fn graphiql_html(endpoint: &str) -> String {
    async_graphql::http::GraphiQLSource::build()
        .endpoint(endpoint)
        .title("policy-kb")
        .finish()
}
