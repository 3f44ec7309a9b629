//! HTTP endpoints: the GraphQL ones (from `graphql::http`), liveness, readiness and metrics.

use actix_web::{web, HttpResponse};
use sea_orm::DatabaseConnection;

use crate::graphql;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(graphql::http::configure)
        .route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/metrics", web::get().to(graphql::http::metrics))
        // Last: the web app's scope answers every other path (its 404 page).
        .configure(crate::web::configure);
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
