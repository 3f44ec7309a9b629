//! HTTP endpoints: the GraphQL ones (`routes::graphql`), liveness, readiness and metrics.

pub mod graphql;

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sea_orm::DatabaseConnection;

use crate::metrics::Metrics;
use crate::search::Search;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(graphql::configure)
        .route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/metrics", web::get().to(metrics))
        // Last: the web app's scope answers every other path (its 404 page).
        .configure(crate::web::configure);
}

/// The process is up.
async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The metrics of this process, in the Prometheus text format.
async fn metrics(metrics: web::Data<Arc<Metrics>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}

/// How long readiness waits for the database: a load balancer asks often and must learn of an
/// outage in about this time, not after the pool's acquire timeout.
const READY_TIMEOUT: Duration = Duration::from_secs(1);

/// The process can serve requests: its search index is not being rebuilt, and its database
/// answers within `READY_TIMEOUT`.
async fn ready(db: web::Data<DatabaseConnection>, search: web::Data<Search>) -> HttpResponse {
    if !search.is_ready() {
        return HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, "1"))
            .json(serde_json::json!({ "status": "search index rebuilding" }));
    }
    let failure = match tokio::time::timeout(READY_TIMEOUT, db.ping()).await {
        Ok(Ok(())) => return HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Ok(Err(err)) => err.to_string(),
        Err(_) => format!("no answer within {} ms", READY_TIMEOUT.as_millis()),
    };
    tracing::warn!(error = %failure, "readiness check failed: the database does not answer");
    HttpResponse::ServiceUnavailable()
        .insert_header((header::RETRY_AFTER, "1"))
        .json(serde_json::json!({ "status": "database unavailable" }))
}
