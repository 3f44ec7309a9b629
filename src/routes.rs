//! HTTP endpoints: GraphQL (POST and GET), GraphiQL, the SDL, liveness and readiness.

use actix_web::{web, HttpResponse};
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};
use sea_orm::DatabaseConnection;

use crate::graphql::{self, Api};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql_endpoint))
            .route(web::get().to(graphql_endpoint)),
    )
    .route("/graphiql", web::get().to(graphiql))
    .route("/schema.graphql", web::get().to(schema))
    .route("/health", web::get().to(health))
    .route("/ready", web::get().to(ready));
}

async fn graphql_endpoint(api: web::Data<Api>, request: GraphQLRequest) -> GraphQLResponse {
    api.execute(request.into_inner()).await.into()
}

async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(graphql::graphiql_html("/graphql"))
}

async fn schema() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(graphql::sdl())
}

/// The process is up.
async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The process can serve requests: its database answers.
async fn ready(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed: the database does not answer");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "database unavailable" }))
        }
    }
}
