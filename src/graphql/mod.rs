//! The GraphQL API: the only module that knows async-graphql. Resolvers are thin: they parse
//! arguments into domain types, call the catalog, and load relations through DataLoaders.

mod connection;
mod context;
mod document;
mod error;
pub mod http;
pub mod id;
pub mod loaders;
mod mutation;
mod node;
pub mod persisted;
mod query;
mod recommend;
mod search;
mod subscription;
pub mod types;
pub mod ws;

use std::sync::Arc;

use async_graphql::{Request, Response, Schema};
use futures_util::{Stream, StreamExt};
use sea_orm::DatabaseConnection;

use crate::error::ErrorCode;
use crate::feed::Feed;
use crate::metrics::Metrics;
use crate::search::Search;
use crate::settings::EdgeSettings;
use persisted::Documents;

pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

pub type KbSchema = Schema<Query, Mutation, Subscription>;

/// The schema and the database it reads, ready to execute requests, with the edge's limits.
#[derive(Clone)]
pub struct Api {
    schema: KbSchema,
    db: DatabaseConnection,
    edge: Arc<EdgeSettings>,
    metrics: Arc<Metrics>,
    documents: Arc<Documents>,
    parsed: Arc<document::ParsedDocuments>,
    feed: Feed,
    connections: Arc<ws::Connections>,
}

impl Api {
    pub fn new(
        db: DatabaseConnection,
        search: Search,
        edge: EdgeSettings,
        metrics: Arc<Metrics>,
    ) -> Api {
        let feed = Feed::new(edge.ws_max_lag);
        let mut builder = Schema::build(Query, Mutation, Subscription)
            .data(db.clone())
            .data(feed.clone())
            .data(search)
            .data(crate::recommend::Lexicons::default())
            .data(metrics.clone())
            .limit_depth(edge.max_depth)
            .limit_complexity(edge.max_complexity)
            .limit_recursive_depth(edge.max_nesting)
            .limit_directives(edge.max_directives);
        if !edge.introspection {
            builder = builder.disable_introspection();
        }
        if !edge.field_suggestions {
            builder = builder.disable_suggestions();
        }
        let documents = Arc::new(Documents::automatic(edge.persisted_query_cache_bytes));
        Api {
            schema: builder.finish(),
            db,
            edge: Arc::new(edge),
            metrics,
            documents,
            parsed: Default::default(),
            feed,
            connections: Default::default(),
        }
    }

    /// Runs only `documents` from now on (`--trusted-documents`).
    pub fn trusting(mut self, documents: Documents) -> Api {
        self.documents = Arc::new(documents);
        self
    }

    /// The documents requests may name by hash.
    pub fn documents(&self) -> &Documents {
        &self.documents
    }

    /// The documents already parsed, by their text.
    pub fn parsed(&self) -> &document::ParsedDocuments {
        &self.parsed
    }

    pub fn edge(&self) -> &EdgeSettings {
        &self.edge
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The change feed the subscriptions read; `startup` runs its task.
    pub fn feed(&self) -> &Feed {
        &self.feed
    }

    fn connections(&self) -> &Arc<ws::Connections> {
        &self.connections
    }

    /// Runs a document with JSON variables for a caller inside the process (the web pages):
    /// the same schema, limits, error codes and timeout as `POST /graphql`.
    pub async fn execute_json(&self, document: &str, variables: serde_json::Value) -> JsonResponse {
        let request =
            Request::new(document).variables(async_graphql::Variables::from_json(variables));
        let timeout = std::time::Duration::from_millis(self.edge.timeout_ms);
        let Ok(response) = tokio::time::timeout(timeout, self.execute(request)).await else {
            let timeout = crate::error::AppError::Timeout {
                limit_ms: self.edge.timeout_ms,
            };
            self.metrics.error(timeout.code());
            return JsonResponse {
                data: serde_json::Value::Null,
                errors: vec![JsonError {
                    message: timeout.to_string(),
                    code: timeout.code(),
                }],
            };
        };
        let errors = response
            .errors
            .iter()
            .map(|error| {
                let code = error::code_of(error);
                self.metrics.error(code);
                JsonError {
                    message: error.message.clone(),
                    code,
                }
            })
            .collect();
        JsonResponse {
            data: response.data.into_json().unwrap_or_default(),
            errors,
        }
    }

    /// Runs one request with its own DataLoader, and gives every error a code.
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let activity = loaders::Activity::default();
        let loader = loaders::Loaders::for_request(self.db.clone(), activity.clone());
        let execution = self.schema.execute(request.into().data(loader));
        error::assign_missing_codes(activity.track(execution).await)
    }

    /// Runs a subscription with its own DataLoader: its responses, every error with a code.
    fn stream(&self, request: Request) -> impl Stream<Item = Response> + Send + 'static {
        let activity = loaders::Activity::default();
        let loader = loaders::Loaders::for_request(self.db.clone(), activity.clone());
        activity
            .track_stream(self.schema.execute_stream(request.data(loader)))
            .map(error::assign_missing_codes)
    }
}

/// The result of `Api::execute_json`: the data (null when nothing ran) and the errors.
#[derive(Debug)]
pub struct JsonResponse {
    pub data: serde_json::Value,
    pub errors: Vec<JsonError>,
}

/// One error of a response, as a client sees it.
#[derive(Debug, Clone)]
pub struct JsonError {
    pub message: String,
    pub code: ErrorCode,
}

/// The SDL without a database, for `policy-kb schema`.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, Subscription).finish().sdl()
}
